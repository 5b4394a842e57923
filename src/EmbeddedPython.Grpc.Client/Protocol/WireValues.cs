using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddedPython.Grpc.Protocol;

namespace EmbeddedPython.Grpc.Client.Protocol;

/// <summary>
/// .NET values ⇄ the service's JSON (the rules of <see cref="JsonValues"/>, shared with the server). Outgoing values
/// are first made plain — numbers, text, lists, dictionaries — as the in-process conversion would see them
/// (enums as their number, records and classes as a dict of their public properties); what cannot cross a
/// process boundary (delegates, handles) is refused naming its place.
/// </summary>
internal static class WireValues
{
    private const int MaxDepth = 64;

    /// <summary>The JSON text of <paramref name="value"/>; <paramref name="path"/> names it in errors.</summary>
    public static string Write(object? value, string path) => JsonValues.Write(Plain(value, path, 0), out _);

    /// <summary>Reads a JSON value the server sent; <paramref name="field"/> names it in errors.</summary>
    public static object? Read(string json, string field) => JsonValues.Parse(json, field);

    /// <summary>Converts an untyped value to <typeparamref name="T"/> by the typed-conversion rules of the core;
    /// a mismatch throws <see cref="PythonConversionException"/> naming the place under <paramref name="path"/>.</summary>
    public static T Convert<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(object? value, string path)
    {
        if (typeof(T) == typeof(PythonObject))
            throw NoHandles();
        return new PythonResult(new Dictionary<string, object?> { [path] = value }, [], "").Get<T>(path);
    }

    public static NotSupportedException NoHandles() => new(
        "A remote executor keeps no Python objects between calls: each call may reach another server of the fleet, so "
        + "handles (PythonObject, ImportAsync, ReturnHandles) are not available. Call the module's functions with "
        + "CallAsync and keep state on the server side (a module-level cache), or use the in-process executor.");

    private static object? Plain(object? value, string path, int depth)
    {
        if (depth > MaxDepth)
            throw new ArgumentException($"{path}: nested deeper than {MaxDepth} levels (a cycle?); it cannot be sent to a remote server.");
        switch (value)
        {
            case null or bool or string or long or int or double or float or decimal or BigInteger or byte[]
                or DateTime or DateTimeOffset or DateOnly or TimeSpan or Guid:
                return value;
            case byte or sbyte or short or ushort or uint:
                return System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            case ulong big:
                return big <= long.MaxValue ? (long)big : new BigInteger(big);
            case char c:
                return c.ToString();
            case Enum e:
                return System.Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture);
            case Delegate:
                throw new NotSupportedException($"{path}: a delegate cannot be called back from a remote server; callbacks need the in-process executor.");
            case PythonObject:
                throw new NotSupportedException($"{path}: {NoHandles().Message}");
            case JsonElement element:
                return JsonValues.Parse(element.GetRawText(), path);
            case JsonNode node:
                return JsonValues.Parse(node.ToJsonString(), path);
            case IDictionary dictionary:
                var entries = new Dictionary<string, object?>(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = System.Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                    entries[key] = Plain(entry.Value, $"{path}[{key}]", depth + 1);
                }
                return entries;
            case ITuple tuple:
                return Enumerable.Range(0, tuple.Length).Select(i => Plain(tuple[i], $"{path}.Item{i + 1}", depth + 1)).ToList();
            case IEnumerable items:
                return items.Cast<object?>().Select((item, i) => Plain(item, $"{path}[{i}]", depth + 1)).ToList();
        }
        if (Memory(value) is { } memory)
            return memory;
        // A record or a class: a dict of its public properties, as the in-process conversion makes it.
        return JsonValues.Parse(JsonSerializer.Serialize(value, value.GetType()), path);
    }

    // Memory<T> and ReadOnlyMemory<T> of numbers become lists (in-process they are buffers).
    private static List<object?>? Memory(object value)
    {
        var type = value.GetType();
        if (!type.IsGenericType || (type.GetGenericTypeDefinition() != typeof(Memory<>) && type.GetGenericTypeDefinition() != typeof(ReadOnlyMemory<>)))
            return null;
        var array = (Array)type.GetMethod("ToArray")!.Invoke(value, null)!;
        return array.Cast<object?>().Select(item => Plain(item, "", 0)).ToList();
    }
}
