using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace EmbeddedPython.Marshalling.Typed;

/// <summary>How Python and .NET member names meet: without case and without underscores, so that
/// <c>unit_price</c>, <c>unitPrice</c> and <c>UnitPrice</c> are one name.</summary>
internal static class RecordNames
{
    public static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>UnitPrice → unit_price, the name a Python attribute most likely has.</summary>
    public static string SnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}

/// <summary>
/// A record, class or struct filled from a dict (by key), or from any other object (a dataclass, a named tuple, a
/// plain object) by attribute: through the public constructor with the most parameters, then the settable
/// properties that constructor does not cover. Names match as <see cref="RecordNames"/> says. A constructor
/// parameter the value does not give is an error unless it has a default; a property not given keeps its
/// initial value. Keys the type has no member for are ignored.
/// </summary>
internal sealed class RecordReader : IBoxedConverter
{
    private sealed record Member(string Name, Type Type, int Parameter, bool HasDefault, object? Default, MethodInvoker? Setter)
    {
        public readonly string Normalised = RecordNames.Normalise(Name);
        public readonly string[] AttributeNames = new[] { RecordNames.SnakeCase(Name), Name, char.ToLowerInvariant(Name[0]) + Name[1..] }.Distinct().ToArray();
        private IBoxedConverter? _converter;

        public IBoxedConverter Converter => _converter ??= ConverterFactory.Boxed(Type);
    }

    private readonly ConstructorInvoker? _constructor;
    private readonly int _parameterCount;
    private readonly Member[] _members;
    private readonly Dictionary<string, int> _byName;

    [DynamicallyAccessedMembers(ConverterFactory.RecordMembers)]
    private readonly Type _type;

    public RecordReader([DynamicallyAccessedMembers(ConverterFactory.RecordMembers)] Type type)
    {
        _type = type;
        Converts = type;
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var members = new List<Member>();
        if (constructor is not null)
        {
            _constructor = ConstructorInvoker.Create(constructor);
            foreach (var parameter in constructor.GetParameters())
                members.Add(new Member(parameter.Name!, parameter.ParameterType, parameter.Position, parameter.HasDefaultValue, parameter.HasDefaultValue ? parameter.DefaultValue : null, null));
            _parameterCount = members.Count;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is { IsPublic: true } setter && property.GetIndexParameters().Length == 0 &&
                !members.Any(m => m.Normalised == RecordNames.Normalise(property.Name)))
                members.Add(new Member(property.Name, property.PropertyType, -1, true, null, MethodInvoker.Create(setter)));
        }
        _members = [.. members];
        _byName = [];
        for (var i = 0; i < _members.Length; i++)
            _byName.TryAdd(_members[i].Normalised, i);
    }

    public Type Converts { get; }

    public object? ReadBoxed(PythonValue value) => ReadFrom(value);
    public object? ReadBoxed(ConvertedValue value) => ReadFrom(value);

    private object? ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return Converts.IsValueType ? throw new ConversionFailure($"{value.TypeName} is not a {TypeNames.Of(Converts)}") : null;
        if (value.TryBool(out _) || value.TryDouble(out _) || value.TryString(out _) || value.TryBytes(out _))
            throw new ConversionFailure($"{value.TypeName} is not a {TypeNames.Of(Converts)}");
        var values = new object?[_members.Length];
        var given = new bool[_members.Length];
        var entries = new List<KeyValuePair<TSource, TSource>>();
        if (value.TryMapping(entries))
        {
            foreach (var (key, item) in entries)
            {
                if (key.TryString(out var name) && _byName.TryGetValue(RecordNames.Normalise(name), out var index))
                    Fill(index, item, "." + name, values, given);
            }
        }
        else
        {
            for (var i = 0; i < _members.Length; i++)
            {
                foreach (var name in _members[i].AttributeNames)
                {
                    if (!value.TryAttribute(name, out var attribute))
                        continue;
                    using (attribute)
                        Fill(i, attribute, "." + name, values, given);
                    break;
                }
            }
        }
        return Build(value.TypeName, values, given);
    }

    private void Fill<TSource>(int index, TSource item, string segment, object?[] values, bool[] given) where TSource : struct, IValueSource<TSource>
    {
        try
        {
            values[index] = TSource.ReadBoxedWith(_members[index].Converter, item);
        }
        catch (ConversionFailure failure)
        {
            throw failure.At(segment);
        }
        given[index] = true;
    }

    private object? Build(string sourceType, object?[] values, bool[] given)
    {
        var arguments = new object?[_parameterCount];
        for (var i = 0; i < _members.Length; i++)
        {
            var member = _members[i];
            if (!given[i] && !member.HasDefault)
                throw new ConversionFailure($"{sourceType} has no value for {TypeNames.Of(Converts)}.{member.Name} (looked for '{member.AttributeNames[0]}' and the same name in any case)");
            if (member.Parameter >= 0)
                arguments[member.Parameter] = given[i] ? values[i] : member.Default;
        }
        // A struct without a public constructor starts from its default, boxed so that the setters fill it.
        var instance = _constructor is not null ? _constructor.Invoke(arguments.AsSpan())
            : _type.IsValueType ? Activator.CreateInstance(_type)
            : throw new ConversionFailure($"{TypeNames.Of(Converts)} has no public constructor to create it with (in a trimmed or NativeAOT app, a record met only inside another value keeps its members with [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(...))])");
        for (var i = _parameterCount; i < _members.Length; i++)
        {
            if (given[i])
                _members[i].Setter!.Invoke(instance, values[i]);
        }
        return instance;
    }
}

/// <summary>A value tuple from a sequence of exactly as many items (a Python tuple, usually).</summary>
internal sealed class TupleConverter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T> : Converter<T> where T : struct
{
    private readonly Type[] _itemTypes = typeof(T).GetGenericArguments();
    private readonly ConstructorInvoker _constructor = ConstructorInvoker.Create(typeof(T).GetConstructor(typeof(T).GetGenericArguments())!);
    private IBoxedConverter[]? _items;

    public override T Read(PythonValue value) => ReadFrom(value);
    public override T Read(ConvertedValue value) => ReadFrom(value);

    private T ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (!value.TrySequence(out var sequence, out var count))
            throw Mismatch(value);
        using (sequence)
        {
            if (count != _itemTypes.Length || _itemTypes.Length > 7)
                throw new ConversionFailure($"{value.TypeName} of {count} items is not a {TypeNames.Of(typeof(T))}");
            var items = _items ??= [.. _itemTypes.Select(ConverterFactory.Boxed)];
            var arguments = new object?[count];
            for (var i = 0; i < count; i++)
            {
                using var item = sequence.Item(i);
                try
                {
                    arguments[i] = TSource.ReadBoxedWith(items[i], item);
                }
                catch (ConversionFailure failure)
                {
                    throw failure.At($"[{i}]");
                }
            }
            return (T)_constructor.Invoke(arguments.AsSpan());
        }
    }
}
