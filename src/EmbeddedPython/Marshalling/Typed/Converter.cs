using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace EmbeddedPython.Marshalling.Typed;

/// <summary>
/// Reads a <typeparamref name="T"/> from either value source. One instance per type, built once by
/// <see cref="ConverterFactory"/> and kept in <see cref="ConverterCache{T}"/>; reading a value uses no reflection
/// beyond the constructor and setter invokers records keep. A value that does not fit throws
/// <see cref="ConversionFailure"/>.
/// </summary>
internal abstract class Converter<T> : IBoxedConverter
{
    public abstract T Read(PythonValue value);

    public abstract T Read(ConvertedValue value);

    object? IBoxedConverter.ReadBoxed(PythonValue value) => Read(value);

    object? IBoxedConverter.ReadBoxed(ConvertedValue value) => Read(value);

    /// <summary>"str is not a double".</summary>
    protected static ConversionFailure Mismatch<TSource>(in TSource value) where TSource : struct, IValueSource<TSource> =>
        new($"{value.TypeName} is not a {TypeNames.Of(typeof(T))}");
}

/// <summary>A converter whose type is known only at run time (record members, tuple items).</summary>
internal interface IBoxedConverter
{
    object? ReadBoxed(PythonValue value);

    object? ReadBoxed(ConvertedValue value);
}

/// <summary>The one converter of each type, built on first use.</summary>
internal static class ConverterCache<T>
{
    public static readonly Converter<T> Instance = (Converter<T>)ConverterFactory.Create(typeof(T));
}

/// <summary>C#-style names of .NET types for error messages: <c>double</c>, <c>List&lt;int&gt;</c>, <c>int?</c>.</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
            return Of(inner) + "?";
        if (type.IsArray)
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (Keywords.TryGetValue(type, out var keyword))
            return keyword;
        if (!type.IsGenericType)
            return type.Name;
        var name = type.Name[..type.Name.IndexOf('`')];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Of))}>";
    }

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(short)] = "short",
        [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long",
        [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal",
        [typeof(char)] = "char", [typeof(string)] = "string", [typeof(object)] = "object",
    };
}

/// <summary>
/// Builds the converter of a type from its shape (DESIGN §3b, typed results). Generic shapes are closed over
/// their element types with reflection, once per type; that is what makes typed conversion need dynamic code
/// under NativeAOT for value-type elements, and keep the members of record types under trimming.
/// </summary>
internal static class ConverterFactory
{
    public static object Create(Type type)
    {
        if (Scalars.TryGetValue(type, out var scalar))
            return scalar;
        if (Nullable.GetUnderlyingType(type) is { } inner)
            return Closed(typeof(NullableConverter<>), inner);
        if (type.IsEnum)
            return Closed(typeof(EnumConverter<>), type);
        if (type.IsArray && type.GetArrayRank() == 1)
            return Closed(Buffers.FormatOf(type.GetElementType()!) is null ? typeof(ArrayConverter<>) : typeof(PrimitiveArrayConverter<>), type.GetElementType()!);
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(List<>))
                return Closed(typeof(ListConverter<>), arguments);
            if (definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IEnumerable<>) ||
                definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>))
                return AsInterface(typeof(List<>), type);
            if (definition == typeof(HashSet<>))
                return Closed(typeof(SetConverter<>), arguments);
            if (definition == typeof(ISet<>) || definition == typeof(IReadOnlySet<>))
                return AsInterface(typeof(HashSet<>), type);
            if (definition == typeof(Dictionary<,>))
                return Closed(typeof(DictionaryConverter<,>), arguments);
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                return AsInterface(typeof(Dictionary<,>), type);
            if (definition == typeof(PythonBuffer<>))
                return Closed(typeof(BufferConverter<>), arguments);
            if (type.IsValueType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
                return Closed(typeof(TupleConverter<>), type);
        }
        // The call API's live-object handle is not converted: it wraps the object (TypedConversion.HandleFactory).
        if (type.FullName == "EmbeddedPython.PythonObject" && type.Assembly == typeof(ConverterFactory).Assembly)
            return Closed(typeof(HandleConverter<>), type);
        if (!type.IsAbstract && !type.IsInterface && !type.IsPrimitive && !type.IsPointer && type != typeof(string))
            return Closed(typeof(RecordConverter<>), type);
        return Closed(typeof(UnsupportedConverter<>), type);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresDynamicCode.")]
    private static object Closed(Type definition, params Type[] arguments) =>
        Activator.CreateInstance(definition.MakeGenericType(arguments))!;

    /// <summary>An interface type read as <paramref name="collection"/> closed over the same arguments.</summary>
    private static object AsInterface(Type collection, Type type) =>
        Closed(typeof(InterfaceConverter<,>), Generic(collection, type.GetGenericArguments()), type);

    /// <summary>The converter of a type known only at run time, for record members and tuple items.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresDynamicCode.")]
    public static IBoxedConverter Boxed(Type type) =>
        (IBoxedConverter)typeof(ConverterCache<>).MakeGenericType(type).GetField(nameof(ConverterCache<object>.Instance))!.GetValue(null)!;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The entry points of typed conversion (TypedConversion, PythonResult.Get) carry RequiresDynamicCode.")]
    private static Type Generic(Type definition, Type[] arguments) => definition.MakeGenericType(arguments);

    private static readonly Dictionary<Type, object> Scalars = new()
    {
        [typeof(object)] = new UntypedConverter(),
        [typeof(bool)] = new BoolConverter(),
        [typeof(long)] = new IntegerConverter<long>(),
        [typeof(int)] = new IntegerConverter<int>(),
        [typeof(short)] = new IntegerConverter<short>(),
        [typeof(sbyte)] = new IntegerConverter<sbyte>(),
        [typeof(ulong)] = new IntegerConverter<ulong>(),
        [typeof(uint)] = new IntegerConverter<uint>(),
        [typeof(ushort)] = new IntegerConverter<ushort>(),
        [typeof(byte)] = new IntegerConverter<byte>(),
        [typeof(BigInteger)] = new BigIntegerConverter(),
        [typeof(double)] = new DoubleConverter(),
        [typeof(float)] = new FloatConverter(),
        [typeof(decimal)] = new DecimalConverter(),
        [typeof(string)] = new StringConverter(),
        [typeof(char)] = new CharConverter(),
        [typeof(DateTime)] = new DateTimeConverter(),
        [typeof(DateTimeOffset)] = new DateTimeOffsetConverter(),
        [typeof(DateOnly)] = new DateOnlyConverter(),
        [typeof(TimeSpan)] = new TimeSpanConverter(),
        [typeof(Guid)] = new GuidConverter(),
    };
}
