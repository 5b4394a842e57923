using System.Collections.Generic;
using System.Linq;
using EmbeddedPython.SourceGeneration.Diagnostics;
using EmbeddedPython.SourceGeneration.Model;
using EmbeddedPython.SourceGeneration.Parsing;

namespace EmbeddedPython.SourceGeneration.Mapping;

/// <summary>Where an annotation stands: iterators are results only, buffers differ by direction.</summary>
internal enum TypePosition
{
    Parameter,
    Return,
    Element,
}

/// <summary>
/// Maps Python annotations to C# types (the type table of the README). An annotation with no mapping
/// becomes <c>PythonObject</c> with warning EPY002; it never stops generation.
/// </summary>
internal sealed class TypeMapper
{
    private const string PythonObject = "global::EmbeddedPython.PythonObject";

    private static readonly Dictionary<string, string> BufferElementTypes = new()
    {
        ["float64"] = "double", ["double"] = "double", ["float_"] = "double", ["float"] = "double",
        ["float32"] = "float", ["single"] = "float",
        ["int64"] = "long", ["int_"] = "long", ["int"] = "long", ["int32"] = "int", ["intc"] = "int",
        ["int16"] = "short", ["int8"] = "sbyte", ["uint8"] = "byte", ["ubyte"] = "byte",
        ["uint16"] = "ushort", ["uint32"] = "uint", ["uint64"] = "ulong",
    };

    private readonly IReadOnlyDictionary<string, (TypeShape Shape, string CsName)> _moduleClasses;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly string _filePath;

    public TypeMapper(IReadOnlyDictionary<string, (TypeShape Shape, string CsName)> moduleClasses, List<DiagnosticInfo> diagnostics, string filePath)
    {
        _moduleClasses = moduleClasses;
        _diagnostics = diagnostics;
        _filePath = filePath;
    }

    /// <summary>The C# type of an annotation; <paramref name="where"/> names its place for the warning.</summary>
    public TypeSpec Map(PyExpr? annotation, TypePosition position, string where, int column)
    {
        if (annotation is null)
            return Plain(PythonObject);
        return MapAnnotation(annotation, position, where, column);
    }

    /// <summary>The element type when <paramref name="annotation"/> is an iterator or generator, else null.</summary>
    public PyExpr? StreamElement(PyExpr? annotation)
    {
        if (annotation is PyConstant { Kind: PyConstantKind.String } text)
            annotation = TryParse(text);
        return annotation is PySubscript { Target: PyName name } subscript && name.Last is "Iterator" or "Generator" or "AsyncIterator" or "AsyncGenerator" or "Iterable" or "AsyncIterable"
            ? subscript.Arguments.FirstOrDefault()
            : null;
    }

    private TypeSpec MapAnnotation(PyExpr annotation, TypePosition position, string where, int column)
    {
        switch (annotation)
        {
            case PyConstant { Kind: PyConstantKind.None }:
                if (position == TypePosition.Return)
                    return new TypeSpec("void", TypeShape.None, Nullable: true, null, EquatableArray<string>.Empty);
                return Plain("object", nullable: true);
            case PyConstant { Kind: PyConstantKind.String } forward:
                var parsed = TryParse(forward);
                if (parsed is not null)
                    return MapAnnotation(parsed, position, where, column);
                break;
            case PyName name:
                if (_moduleClasses.TryGetValue(name.Dotted, out var moduleClass))
                    return new TypeSpec($"global::EmbeddedPython.Generated.{moduleClass.CsName}", moduleClass.Shape, false, moduleClass.CsName, EquatableArray<string>.Empty);
                var simple = SimpleType(name.Last);
                if (simple is not null)
                {
                    return Plain(simple);
                }

                if (name.Last is "Any" or "object")
                    return Plain(PythonObject);
                if (name.Last is "ndarray" or "memoryview" or "NDArray")
                    return Buffer("double", position);
                if (name.Last is "list" or "List" or "Sequence" or "dict" or "Dict" or "Mapping" or "tuple" or "Tuple" or "set" or "frozenset")
                    return MapAnnotation(new PySubscript(name, new[] { (PyExpr)new PyName("Any", name.Line) }.ToEquatableArray(), name.Line), position, where, column);
                break;
            case PyUnion union:
                return Union(union.Options, annotation, position, where, column);
            case PySubscript { Target: PyName target } subscript:
                var arguments = subscript.Arguments;
                switch (target.Last)
                {
                    case "Optional" when arguments.Count == 1:
                        return Union([arguments[0], new PyConstant(PyConstantKind.None, "None", target.Line)], annotation, position, where, column);
                    case "Union":
                        return Union(arguments, annotation, position, where, column);
                    case "list" or "List" or "Sequence" or "MutableSequence" or "set" or "Set" or "frozenset" or "FrozenSet" when arguments.Count == 1:
                        var element = MapAnnotation(arguments[0], TypePosition.Element, where, column);
                        if (element.Shape is TypeShape.Dataclass or TypeShape.Handle && !element.Nullable)
                            return element with { Name = $"global::System.Collections.Generic.IReadOnlyList<{element.Name}>", Shape = element.Shape == TypeShape.Handle ? TypeShape.HandleList : TypeShape.DataclassList };
                        return Plain($"global::System.Collections.Generic.IReadOnlyList<{Element(arguments[0], where, column)}>");
                    case "dict" or "Dict" or "Mapping" or "MutableMapping" when arguments.Count == 2:
                        return Plain($"global::System.Collections.Generic.IReadOnlyDictionary<{Element(arguments[0], where, column)}, {Element(arguments[1], where, column)}>");
                    case "tuple" or "Tuple" when arguments.Count == 2 && arguments[1] is PyConstant { Kind: PyConstantKind.Ellipsis }:
                        return Plain($"global::System.Collections.Generic.IReadOnlyList<{Element(arguments[0], where, column)}>");
                    case "tuple" or "Tuple" when arguments.Count == 1:
                        return Plain($"global::System.ValueTuple<{Element(arguments[0], where, column)}>");
                    case "tuple" or "Tuple" when arguments.Count > 1 && arguments.All(a => a is not PyConstant { Kind: PyConstantKind.Ellipsis }):
                        return Plain($"({string.Join(", ", arguments.Select(a => Element(a, where, column)))})");
                    case "Literal" when arguments.Count > 0 && arguments.All(a => a is PyConstant { Kind: PyConstantKind.String }):
                        return new TypeSpec("string", TypeShape.Literal, false, null, arguments.Select(a => Naming.StringLiteral(((PyConstant)a).Value)).ToEquatableArray());
                    case "Literal" when arguments.Count > 0 && arguments.All(a => a is PyConstant { Kind: PyConstantKind.Integer }):
                        return new TypeSpec("long", TypeShape.Literal, false, null, arguments.Select(a => ((PyConstant)a).Value.Replace("_", "") + "L").ToEquatableArray());
                    case "Annotated" when arguments.Count >= 2:
                        if (arguments[0] is PyName { Last: "ndarray" or "memoryview" or "NDArray" } && DType(arguments[1]) is { } dtype)
                            return Buffer(dtype, position);
                        return MapAnnotation(arguments[0], position, where, column);
                    case "NDArray" when arguments.Count == 1 && DType(arguments[0]) is { } elementType:
                        return Buffer(elementType, position);
                    case "Iterator" or "Generator" or "AsyncIterator" or "AsyncGenerator" or "Iterable" or "AsyncIterable" when position == TypePosition.Return && arguments.Count >= 1:
                        return MapAnnotation(arguments[0], TypePosition.Element, where, column);
                }

                break;
        }

        _diagnostics.Add(new DiagnosticInfo(
            GeneratorDiagnostics.UnsupportedAnnotation.Id,
            $"The annotation '{Describe(annotation)}' of {where} has no C# mapping; it is typed PythonObject",
            _filePath,
            annotation.Line,
            column));
        return Plain(PythonObject);
    }

    private string Element(PyExpr annotation, string where, int column) => MapAnnotation(annotation, TypePosition.Element, where, column).Name;

    private TypeSpec Union(IEnumerable<PyExpr> options, PyExpr annotation, TypePosition position, string where, int column)
    {
        var all = options.ToList();
        var others = all.Where(o => o is not PyConstant { Kind: PyConstantKind.None }).ToList();
        if (others.Count == 1 && others.Count < all.Count)
        {
            var inner = MapAnnotation(others[0], position == TypePosition.Return ? TypePosition.Element : position, where, column);
            if (inner.Nullable)
                return inner;
            return inner with { Name = inner.Name + "?", Nullable = true };
        }

        if (others.Count == 1)
            return MapAnnotation(others[0], position, where, column);
        _diagnostics.Add(new DiagnosticInfo(
            GeneratorDiagnostics.UnsupportedAnnotation.Id,
            $"The union '{Describe(annotation)}' of {where} has no C# mapping (only a union with None, Optional[T], has one); it is typed PythonObject",
            _filePath,
            annotation.Line,
            column));
        return Plain(PythonObject, nullable: all.Count > others.Count);
    }

    private static TypeSpec Buffer(string elementType, TypePosition position)
    {
        // A buffer goes to Python as ReadOnlyMemory<T> (a memoryview) and comes back with its shape.
        return Plain(position == TypePosition.Parameter
            ? $"global::System.ReadOnlyMemory<{elementType}>"
            : $"global::EmbeddedPython.PythonBuffer<{elementType}>");
    }

    private static string? DType(PyExpr expression) => expression switch
    {
        PyName name when BufferElementTypes.TryGetValue(name.Last, out var type) => type,
        PyConstant { Kind: PyConstantKind.String } text when BufferElementTypes.TryGetValue(text.Value, out var type) => type,
        PySubscript { Target: PyName { Last: "dtype" or "floating" or "integer" }, Arguments.Count: 1 } subscript => DType(subscript.Arguments[0]),
        _ => null,
    };

    private static string? SimpleType(string name) => name switch
    {
        "int" => "long",
        "float" => "double",
        "str" => "string",
        "bool" => "bool",
        "bytes" or "bytearray" => "byte[]",
        "Decimal" => "decimal",
        "UUID" => "global::System.Guid",
        "datetime" => "global::System.DateTime",
        "date" => "global::System.DateOnly",
        _ => null,
    };

    private static TypeSpec Plain(string name, bool nullable = false) =>
        new(nullable ? name + "?" : name, TypeShape.Value, nullable, null, EquatableArray<string>.Empty);

    private static PyExpr? TryParse(PyConstant text)
    {
        try
        {
            return ModuleParser.ParseExpression(text.Value, text.Line);
        }
        catch (PythonSyntaxException)
        {
            return null;
        }
    }

    private static string Describe(PyExpr expression) => expression switch
    {
        PyName name => name.Dotted,
        PySubscript subscript => $"{Describe(subscript.Target)}[{string.Join(", ", subscript.Arguments.Select(Describe))}]",
        PyUnion union => string.Join(" | ", union.Options.Select(Describe)),
        PyConstant { Kind: PyConstantKind.String } text => $"'{text.Value}'",
        PyConstant constant => constant.Value,
        PyOther other => other.Text,
        _ => expression.ToString(),
    };
}
