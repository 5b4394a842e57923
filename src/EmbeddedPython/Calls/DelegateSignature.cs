using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using EmbeddedPython.CPython;
using EmbeddedPython.Marshalling;
using EmbeddedPython.Marshalling.Typed;

namespace EmbeddedPython.Calls;

/// <summary>
/// How Python arguments bind to a .NET delegate's parameters, worked out once per method: positional
/// arguments in order, keyword arguments by parameter name (without case or underscores, so <c>max_count</c>
/// finds <c>maxCount</c>), defaults for the rest; each converted to the parameter's type through
/// <see cref="CallConversion{T}"/>. A <see cref="PythonCallback"/> takes every positional argument as a list of
/// untyped values. The one place callback arguments are checked: the native functions of
/// <c>embedded_python._native</c> count theirs with <see cref="TooMany"/> and <see cref="Missing"/> too.
/// </summary>
internal sealed class DelegateSignature
{
    private static readonly ConcurrentDictionary<MethodInfo, DelegateSignature> s_cache = new();

    private readonly Parameter[] _parameters;
    private readonly bool _takesArgumentList;
    private readonly PropertyInfo? _taskResult;

    private sealed record Parameter(string Name, string Key, Type Type, bool HasDefault, object? Default)
    {
        private IBoxedConverter? _converter; // found on the first call, not on every argument of every call

        public object? Convert(nint obj, string path) => TypedConversion.FromPython(_converter ??= ConverterFactory.Boxed(Type), obj, path);
    }

    private DelegateSignature(Delegate function)
    {
        _takesArgumentList = function is PythonCallback;
        _parameters = [.. function.Method.GetParameters().Select(p => new Parameter(
            p.Name ?? $"arg{p.Position}",
            Key(p.Name ?? ""),
            p.ParameterType,
            p.HasDefaultValue,
            p.HasDefaultValue ? p.DefaultValue : null))];
        var returnType = function.Method.ReturnType;
        ReturnsTask = typeof(Task).IsAssignableFrom(returnType);
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            _taskResult = ResultProperty(returnType);
    }

    public static DelegateSignature Of(Delegate function) => s_cache.GetOrAdd(function.Method, static (_, f) => new DelegateSignature(f), function);

    /// <summary>The delegate returns a Task: a coroutine caller gets an awaitable of it, other callers wait for it
    /// (without the GIL) and get its result.</summary>
    public bool ReturnsTask { get; }

    private static string Key(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>The .NET arguments for a call from Python; <see cref="ArgumentException"/> names a missing,
    /// unknown or surplus argument, <see cref="PythonConversionException"/> one that does not fit.</summary>
    public unsafe object?[] Bind(nint args, nint kwargs)
    {
        var count = (int)Py.PyTuple_Size(args);
        if (_takesArgumentList)
        {
            if (kwargs != 0 && Py.PyDict_Size(kwargs) > 0)
                throw new ArgumentException("this callback takes positional arguments only");
            var list = new object?[count];
            for (var i = 0; i < count; i++)
                list[i] = CallConversion<object>.FromPython(Py.PyTuple_GetItem(args, i), $"argument {i + 1}");
            return [list];
        }
        if (count > _parameters.Length)
            throw TooMany(_parameters.Length, count);
        var values = new object?[_parameters.Length];
        var given = new bool[_parameters.Length];
        for (var i = 0; i < count; i++)
        {
            values[i] = _parameters[i].Convert(Py.PyTuple_GetItem(args, i), _parameters[i].Name);
            given[i] = true;
        }
        if (kwargs != 0)
        {
            nint position = 0, key, item;
            while (Py.PyDict_Next(kwargs, &position, &key, &item) != 0)
            {
                var name = Py.AsString(key) ?? "";
                var index = Array.FindIndex(_parameters, p => p.Key == Key(name));
                if (index < 0)
                    throw new ArgumentException($"got an unexpected keyword argument '{name}'");
                if (given[index])
                    throw new ArgumentException($"got multiple values for argument '{name}'");
                values[index] = _parameters[index].Convert(item, _parameters[index].Name);
                given[index] = true;
            }
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (given[i])
                continue;
            if (!_parameters[i].HasDefault)
                throw Missing(_parameters[i].Name);
            values[i] = _parameters[i].Default;
        }
        return values;
    }

    /// <summary>More positional arguments than the callable takes.</summary>
    public static ArgumentException TooMany(int takes, int given) => new($"takes {takes} positional arguments but {given} were given");

    /// <summary>A parameter without a default got no argument.</summary>
    public static ArgumentException Missing(string parameter) => new($"missing required argument '{parameter}'");

    /// <summary>Runs the delegate (on the calling thread, without the GIL: it may block) and, for a Task,
    /// waits for it and takes its result. Exceptions come out unwrapped.</summary>
    public object? Invoke(Delegate function, object?[] arguments)
    {
        var returned = Start(function, arguments);
        if (!ReturnsTask || returned is not Task task)
            return returned;
        task.GetAwaiter().GetResult();
        return ResultOf(task);
    }

    /// <summary>Runs the delegate and returns what it returned, a Task not waited for. Exceptions come out unwrapped.</summary>
    public object? Start(Delegate function, object?[] arguments)
    {
        try
        {
            return function.DynamicInvoke(arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    // Task<T>.Result is public API of the framework type the delegate's own code constructs; under NativeAOT its
    // metadata is kept by the DynamicDependency below.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(Task<>))]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Task<>'s public properties are kept by the DynamicDependency.")]
    private static PropertyInfo? ResultProperty(Type taskType) => taskType.GetProperty(nameof(Task<int>.Result));

    /// <summary>The result of a completed Task the delegate returned (null for a plain Task).</summary>
    public object? ResultOf(Task task) => _taskResult?.GetValue(task);
}
