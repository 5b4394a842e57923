using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace EmbeddedPython.Execution;

/// <summary>
/// The returned globals of a request (<see cref="PythonResult.Values"/>) when there are few: two arrays in the
/// order the values were collected, looked up by a linear, ordinal search. A result is built once and read a
/// few times, and most return one to a handful of names; a <see cref="Dictionary{TKey, TValue}"/> of one entry
/// takes 216 bytes (buckets and entries sized for three), this 72 to 104. Past <see cref="MaxCount"/> names the
/// interpreter builds a dictionary instead (<see cref="Builder"/>).
/// </summary>
internal sealed class ResultValues : IReadOnlyDictionary<string, object?>
{
    public const int MaxCount = 8;

    private readonly string[] _names;
    private readonly object?[] _values;
    private readonly int _count;

    private ResultValues(string[] names, object?[] values, int count)
    {
        _names = names;
        _values = values;
        _count = count;
    }

    public int Count => _count;

    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

    public IEnumerable<string> Keys => _names.Take(_count);

    public IEnumerable<object?> Values => _values.Take(_count);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _values[index] : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
            yield return new KeyValuePair<string, object?>(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], key, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <summary>Collects a result's values on the interpreter thread: arrays while they are few, a dictionary
    /// once they are more (a later name replaces an earlier one, as a dictionary's indexer would).</summary>
    public struct Builder(int expected)
    {
        private string[] _names = new string[Math.Clamp(expected, 1, MaxCount)];
        private object?[] _values = new object?[Math.Clamp(expected, 1, MaxCount)];
        private int _count;
        private Dictionary<string, object?>? _many;

        public void Add(string name, object? value)
        {
            if (_many is not null)
            {
                _many[name] = value;
                return;
            }
            for (var i = 0; i < _count; i++)
            {
                if (string.Equals(_names[i], name, StringComparison.Ordinal))
                {
                    _values[i] = value;
                    return;
                }
            }
            if (_count == _names.Length)
            {
                if (_count == MaxCount)
                {
                    _many = new Dictionary<string, object?>(2 * MaxCount, StringComparer.Ordinal);
                    for (var i = 0; i < _count; i++)
                        _many[_names[i]] = _values[i];
                    _many[name] = value;
                    return;
                }
                Array.Resize(ref _names, Math.Min(2 * _count, MaxCount));
                Array.Resize(ref _values, _names.Length);
            }
            _names[_count] = name;
            _values[_count++] = value;
        }

        public readonly IReadOnlyDictionary<string, object?> Build() =>
            _many ?? (IReadOnlyDictionary<string, object?>)new ResultValues(_names, _values, _count);
    }
}
