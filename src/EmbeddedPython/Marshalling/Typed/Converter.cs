using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

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

    public Type Converts => typeof(T);

    /// <summary>"str is not a double".</summary>
    protected static ConversionFailure Mismatch<TSource>(in TSource value) where TSource : struct, IValueSource<TSource> =>
        new($"{value.TypeName} is not a {TypeNames.Of(typeof(T))}");
}

/// <summary>A converter whose type is known only at run time (record members, tuple items).</summary>
internal interface IBoxedConverter
{
    object? ReadBoxed(PythonValue value);

    object? ReadBoxed(ConvertedValue value);

    /// <summary>The type this converter produces.</summary>
    Type Converts { get; }
}

/// <summary>A converter built from a Type (enum, record, array of records) as the typed converter of
/// <typeparamref name="T"/>.</summary>
internal sealed class TypedReader<T>(IBoxedConverter reader) : Converter<T>
{
    public override T Read(PythonValue value) => (T)reader.ReadBoxed(value)!;
    public override T Read(ConvertedValue value) => (T)reader.ReadBoxed(value)!;
}

/// <summary>The one converter of each type, built on first use.</summary>
internal static class ConverterCache<T>
{
    public static readonly Converter<T> Instance = ConverterFactory.Of<T>();
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
/// Builds the converter of a type from its shape (DESIGN §3b, typed results), once per type. Scalars and the
/// common shapes of scalar elements (<c>int?</c>, <c>double[]</c>, <c>List&lt;string&gt;</c>,
/// <c>IReadOnlyDictionary&lt;string, double&gt;</c>, <c>PythonBuffer&lt;float&gt;</c>, …) are built by compiled
/// code; so are enums, records and classes (from their Type, anywhere in a value). Other generic shapes are closed
/// over their element types with reflection, which under NativeAOT fails, with a conversion error naming the type,
/// when the app's code did not compile that shape.
/// </summary>
internal static class ConverterFactory
{
    /// <summary>What a record type keeps under trimming so that <see cref="RecordReader"/> can build it.</summary>
    public const DynamicallyAccessedMemberTypes RecordMembers = DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties;

    private static readonly ConcurrentDictionary<Type, IBoxedConverter> s_built = new(Prebuilt());

    /// <summary>The converter of <typeparamref name="T"/>; a record, or a list or dictionary of records, is
    /// built without closing generic code because its type is known here.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2091", Justification = "The public typed entry points (IPythonExecutor.CallAsync, PythonResult.Get, …) annotate their T with RecordMembers, which keeps what RecordReader and the collection converters need.")]
    [UnconditionalSuppressMessage("Trimming", "IL2087", Justification = "As for IL2091.")]
    public static Converter<T> Of<T>()
    {
        var built = s_built.GetOrAdd(typeof(T), static type =>
        {
            try
            {
                return IsReferenceShape(type, typeof(List<>), 0, out var element) ? new ReferenceListConverter<T>(element)
                    : IsReferenceShape(type, typeof(Dictionary<,>), 1, out var value) && type.GetGenericArguments()[0] == typeof(string) ? new ReferenceDictionaryConverter<T>(value)
                    : Create(type, static () => new RecordReader(typeof(T)));
            }
            catch (ConversionFailure failure)
            {
                return new UnsupportedConverter<T>(failure.Message);
            }
        });
        // A converter built from the Type (an enum, a record, an array of records) gets its typed face once.
        return built as Converter<T> ?? (Converter<T>)(s_built[typeof(T)] = new TypedReader<T>(built));
    }

    /// <summary>The converter of a type known only at run time, for record members and tuple items.</summary>
    public static IBoxedConverter Boxed(Type type) => s_built.GetOrAdd(type, static type => Create(type));

    /// <summary>The converter of <paramref name="type"/>'s shape; a record from <paramref name="record"/> when
    /// the caller can build it without reflection.</summary>
    private static IBoxedConverter Create(Type type, Func<IBoxedConverter>? record = null)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
            return Closed(type, typeof(NullableConverter<>), inner);
        if (type.IsEnum)
            return new EnumReader(type);
        if (type.IsArray && type.GetArrayRank() == 1 && !type.GetElementType()!.IsValueType)
            return new ReferenceArrayReader(type);
        if (type.IsArray && type.GetArrayRank() == 1)
            return Closed(type, Buffers.FormatOf(type.GetElementType()!) is null ? typeof(ArrayConverter<>) : typeof(PrimitiveArrayConverter<>), type.GetElementType()!);
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(List<>))
                return Closed(type, typeof(ListConverter<>), arguments);
            if (definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IEnumerable<>) ||
                definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>))
                return AsInterface(typeof(List<>), type);
            if (definition == typeof(HashSet<>))
                return Closed(type, typeof(SetConverter<>), arguments);
            if (definition == typeof(ISet<>) || definition == typeof(IReadOnlySet<>))
                return AsInterface(typeof(HashSet<>), type);
            if (definition == typeof(Dictionary<,>))
                return Closed(type, typeof(DictionaryConverter<,>), arguments);
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                return AsInterface(typeof(Dictionary<,>), type);
            if (definition == typeof(PythonBuffer<>))
                return Closed(type, typeof(BufferConverter<>), arguments);
            if (type.IsValueType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
                return Closed(type, typeof(TupleConverter<>), type);
        }
        // The call API's live-object handle is not converted: it wraps the object (TypedConversion.HandleFactory).
        if (type.FullName == "EmbeddedPython.PythonObject" && type.Assembly == typeof(ConverterFactory).Assembly)
            return Closed(type, typeof(HandleConverter<>), type);
        if (IsRecord(type))
            return record?.Invoke() ?? Record(type);
        return Closed(type, typeof(UnsupportedConverter<>), type);
    }

    /// <summary><paramref name="type"/> is <paramref name="definition"/> closed with a reference type as its
    /// argument number <paramref name="position"/> (not one whose converter is compiled ahead).</summary>
    private static bool IsReferenceShape(Type type, Type definition, int position, out Type argument)
    {
        argument = type.IsGenericType && type.GetGenericTypeDefinition() == definition ? type.GetGenericArguments()[position] : typeof(void);
        return argument != typeof(void) && !argument.IsValueType && argument != typeof(string) && argument != typeof(object);
    }

    private static bool IsRecord(Type type) =>
        !type.IsAbstract && !type.IsInterface && !type.IsPrimitive && !type.IsPointer && type != typeof(string);

    // Closing a generic converter over run-time types is the one reflection step of typed conversion. Under JIT
    // it always works; under NativeAOT it works when the closed type's code exists (reference-type arguments share
    // one compiled body; the value-type shapes of Prebuilt are compiled), and otherwise the caller gets the
    // conversion error below instead of a crash.
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "A record named by a public entry point keeps its members (RecordMembers); a member type trimmed away is reported by RecordReader as having no public constructor.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Every converter has a public parameterless constructor, kept because each converter type is referenced here.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "As for IL2055.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As for IL2055.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "A value-type instantiation without compiled code throws, and is reported naming the type.")]
    private static IBoxedConverter Closed(Type converted, Type definition, params Type[] arguments)
    {
        try
        {
            return (IBoxedConverter)Activator.CreateInstance(definition.MakeGenericType(arguments))!;
        }
        catch (Exception e) when (!RuntimeFeature.IsDynamicCodeSupported && e is NotSupportedException or MissingMethodException or TypeLoadException)
        {
            throw new ConversionFailure(
                $"{TypeNames.Of(converted)} cannot be converted in this NativeAOT build: the code of its converter was not compiled. " +
                "Ask for a shape whose code exists (scalars, enums, records, strings, collections of scalars, strings or records) and convert from there.", e);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "A record named by a public entry point keeps its members (RecordMembers); one met only as a member keeps those the app references, and RecordReader reports a missing constructor clearly.")]
    private static RecordReader Record(Type type) => new(type);

    /// <summary>An interface type read as <paramref name="collection"/> closed over the same arguments.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "The collection types are framework generic collections, kept because they are referenced here.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The interface and collection types are reference types: their instantiation shares compiled code.")]
    private static IBoxedConverter AsInterface(Type collection, Type type) =>
        Closed(type, typeof(InterfaceConverter<,>), collection.MakeGenericType(type.GetGenericArguments()), type);

    /// <summary>Scalars, and the common shapes of each scalar, built by compiled code.</summary>
    private static IEnumerable<KeyValuePair<Type, IBoxedConverter>> Prebuilt()
    {
        IBoxedConverter[] scalars =
        [
            new UntypedConverter(), new StringConverter(), new BigIntegerConverter(),
            new BoolConverter(), new CharConverter(), new DecimalConverter(), new DateTimeConverter(), new DateTimeOffsetConverter(),
            new DateOnlyConverter(), new TimeSpanConverter(), new GuidConverter(),
        ];
        var built = new List<KeyValuePair<Type, IBoxedConverter>>();
        foreach (var scalar in scalars)
            built.Add(new(scalar.Converts, scalar));
        Numbers(built, new IntegerConverter<long>());
        Numbers(built, new IntegerConverter<int>());
        Numbers(built, new IntegerConverter<short>());
        Numbers(built, new IntegerConverter<sbyte>());
        Numbers(built, new IntegerConverter<ulong>());
        Numbers(built, new IntegerConverter<uint>());
        Numbers(built, new IntegerConverter<ushort>());
        Numbers(built, new IntegerConverter<byte>());
        Numbers(built, new DoubleConverter());
        Numbers(built, new FloatConverter());
        Values<bool>(built, arrays: new PrimitiveArrayConverter<bool>());
        Values<char>(built, arrays: new ArrayConverter<char>());
        Values<decimal>(built, arrays: new ArrayConverter<decimal>());
        Values<DateTime>(built, arrays: new ArrayConverter<DateTime>());
        Values<DateTimeOffset>(built, arrays: new ArrayConverter<DateTimeOffset>());
        Values<DateOnly>(built, arrays: new ArrayConverter<DateOnly>());
        Values<TimeSpan>(built, arrays: new ArrayConverter<TimeSpan>());
        Values<Guid>(built, arrays: new ArrayConverter<Guid>());
        Shapes<string>(built, arrays: new ArrayConverter<string>());
        Shapes<object?>(built, arrays: new ArrayConverter<object?>());
        return built;

        static void Numbers<T>(List<KeyValuePair<Type, IBoxedConverter>> built, Converter<T> scalar) where T : unmanaged
        {
            built.Add(new(typeof(T), scalar));
            built.Add(new(typeof(PythonBuffer<T>), new BufferConverter<T>()));
            Values(built, arrays: new PrimitiveArrayConverter<T>());
        }
    }

    private static void Values<T>(List<KeyValuePair<Type, IBoxedConverter>> built, Converter<T[]> arrays) where T : struct
    {
        built.Add(new(typeof(T?), new NullableConverter<T>()));
        Shapes(built, arrays);
    }

    /// <summary>The collections of <typeparamref name="T"/>, and the interfaces that read as them.</summary>
    private static void Shapes<T>(List<KeyValuePair<Type, IBoxedConverter>> built, Converter<T[]> arrays)
    {
        built.Add(new(typeof(T[]), arrays));
        built.Add(new(typeof(List<T>), new ListConverter<T>()));
        built.Add(new(typeof(IReadOnlyList<T>), new InterfaceConverter<List<T>, IReadOnlyList<T>>()));
        built.Add(new(typeof(IList<T>), new InterfaceConverter<List<T>, IList<T>>()));
        built.Add(new(typeof(IEnumerable<T>), new InterfaceConverter<List<T>, IEnumerable<T>>()));
        built.Add(new(typeof(ICollection<T>), new InterfaceConverter<List<T>, ICollection<T>>()));
        built.Add(new(typeof(IReadOnlyCollection<T>), new InterfaceConverter<List<T>, IReadOnlyCollection<T>>()));
        built.Add(new(typeof(HashSet<T>), new SetConverter<T>()));
        built.Add(new(typeof(ISet<T>), new InterfaceConverter<HashSet<T>, ISet<T>>()));
        built.Add(new(typeof(IReadOnlySet<T>), new InterfaceConverter<HashSet<T>, IReadOnlySet<T>>()));
        built.Add(new(typeof(Dictionary<string, T>), new DictionaryConverter<string, T>()));
        built.Add(new(typeof(IDictionary<string, T>), new InterfaceConverter<Dictionary<string, T>, IDictionary<string, T>>()));
        built.Add(new(typeof(IReadOnlyDictionary<string, T>), new InterfaceConverter<Dictionary<string, T>, IReadOnlyDictionary<string, T>>()));
    }
}
