namespace EmbeddedPython.SourceGeneration.Model;

// What the emitter writes: the C# shape of one module, decided by Mapping/ from the Python model.

internal enum TypeShape
{
    /// <summary>Converted by the call API as it is (numbers, strings, collections, buffers, PythonObject).</summary>
    Value,

    /// <summary>Python <c>None</c> as a return type: the method returns <c>Task</c>.</summary>
    None,

    /// <summary>A record generated for a <c>@dataclass</c>: an argument is built by calling the dataclass.</summary>
    Dataclass,

    /// <summary>A list of dataclass records: each element is built by calling the dataclass.</summary>
    DataclassList,

    /// <summary>A record generated for a <c>TypedDict</c>: an argument is passed as a dict with the Python keys.</summary>
    TypedDict,

    /// <summary>A handle type generated for a class with methods.</summary>
    Handle,

    /// <summary>A list of handles: passed as the list of their Python objects.</summary>
    HandleList,

    /// <summary>A <c>Literal[…]</c> of strings or integers: values are checked against the list.</summary>
    Literal,
}

/// <param name="Name">The C# type as written in the generated source (<c>IReadOnlyList&lt;long&gt;</c>).</param>
/// <param name="Shape">How a value crosses to and from Python.</param>
/// <param name="Nullable">Optional: <c>null</c> is None.</param>
/// <param name="ClassName">The generated record or handle type, for those shapes.</param>
/// <param name="Literals">The allowed values of a <see cref="TypeShape.Literal"/>, as C# literals.</param>
internal sealed record TypeSpec(string Name, TypeShape Shape, bool Nullable, string? ClassName, EquatableArray<string> Literals);

/// <param name="Default">The Python default as a C# literal, or null when there is none or it has no C# form.</param>
/// <param name="HasPythonDefault">The Python parameter has a default (an overload may leave it out).</param>
internal sealed record ParameterSpec(string Name, string PythonName, TypeSpec Type, string? Default, bool HasPythonDefault, bool KeywordOnly);

/// <param name="PythonName">What <c>PythonCall.Function</c> names: <c>count_words</c> or <c>Counter.increment</c>.</param>
/// <param name="Returns">The result type; for a stream, the element type.</param>
/// <param name="IsStream">A generator or async generator: the method returns <c>IAsyncEnumerable</c>.</param>
internal sealed record MethodSpec(string Name, string PythonName, TypeSpec Returns, bool IsStream, EquatableArray<ParameterSpec> Parameters, string? Docstring);

internal sealed record PropertySpec(string Name, string PythonName, TypeSpec Type, string? Default);

internal sealed record RecordSpec(string Name, string PythonName, bool IsTypedDict, EquatableArray<PropertySpec> Properties, string? Docstring);

/// <param name="Constructor">Creates an instance: <c>Create{Name}Async</c> on the module, from <c>__init__</c>.</param>
internal sealed record HandleSpec(string Name, string PythonName, MethodSpec Constructor, EquatableArray<MethodSpec> Methods, string? Docstring);

/// <param name="ModuleName">The name Python imports (the file's name without <c>.py</c>).</param>
/// <param name="Folder">The file's folder relative to the project (and so to the output folder), '/'-separated.</param>
internal sealed record ModuleSpec(
    string ModuleName,
    string InterfaceName,
    string ClassName,
    string Folder,
    string? Docstring,
    EquatableArray<MethodSpec> Functions,
    EquatableArray<RecordSpec> Records,
    EquatableArray<HandleSpec> Handles);
