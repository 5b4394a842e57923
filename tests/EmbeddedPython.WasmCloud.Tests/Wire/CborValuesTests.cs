using System.Numerics;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Tests.Wire;

public sealed class CborValuesTests
{
    [Theory]
    [InlineData(10L, "0A")]
    [InlineData(3628800L, "1A00375F00")]
    [InlineData("Hello Sam!", "6A48656C6C6F2053616D21")]
    [InlineData(true, "F5")]
    [InlineData(-1L, "20")]
    [InlineData(null, "F6")]
    public void Values_encode_to_the_bytes_the_original_sends(object? value, string hex) =>
        Assert.Equal(hex, Convert.ToHexString(CborValues.Encode(value)));

    [Fact]
    public void Nested_values_survive_a_round_trip()
    {
        var value = new Dictionary<string, object?>
        {
            ["list"] = new List<object?> { 1L, -2L, 2.5, "three", null, new byte[] { 4, 5 } },
            ["max"] = new BigInteger(ulong.MaxValue),
            ["min"] = long.MinValue,
            ["flag"] = false,
        };
        var back = Assert.IsType<Dictionary<string, object?>>(CborValues.Decode(CborValues.Encode(value)));
        var list = Assert.IsType<List<object?>>(back["list"]);
        Assert.Equal(new object?[] { 1L, -2L, 2.5, "three", null }, list.Take(5));
        Assert.Equal(new byte[] { 4, 5 }, list[5]);
        Assert.Equal(new BigInteger(ulong.MaxValue), back["max"]);
        Assert.Equal(long.MinValue, back["min"]);
        Assert.Equal(false, back["flag"]);
    }

    [Theory]
    [InlineData("F93E00", 1.5)]
    [InlineData("FA3FC00000", 1.5)]
    [InlineData("FB3FF8000000000000", 1.5)]
    public void Floats_of_every_width_decode_as_double(string hex, double expected) =>
        Assert.Equal(expected, CborValues.Decode(Convert.FromHexString(hex)));

    [Fact]
    public void Indefinite_length_arrays_and_integer_map_keys_are_read()
    {
        // [_ 1, 2] and {1: "a"}
        Assert.Equal(new List<object?> { 1L, 2L }, CborValues.Decode(Convert.FromHexString("9F0102FF")));
        Assert.Equal(new Dictionary<string, object?> { ["1"] = "a" }, CborValues.Decode(Convert.FromHexString("A10161 61".Replace(" ", ""))));
    }

    [Fact]
    public void An_integer_beyond_64_bits_has_no_CBOR_form()
    {
        var error = Assert.Throws<NotSupportedException>(() => CborValues.Encode(BigInteger.Pow(2, 64)));
        Assert.Contains("64 bits", error.Message);
    }

    [Theory]
    [InlineData("0A0B", "follow")]
    [InlineData("1A0037", "")]
    [InlineData("FF", "")]
    public void Malformed_CBOR_is_a_format_error(string hex, string mention)
    {
        var error = Assert.Throws<FormatException>(() => CborValues.Decode(Convert.FromHexString(hex)));
        Assert.Contains(mention, error.Message);
    }

    [Theory]
    [InlineData("", "Empty")]
    [InlineData("05", "Msgpack")]
    [InlineData("7F0A", "Cbor")]
    [InlineData("C10A", "Msgpack")]
    [InlineData("000A", "Reserved")]
    [InlineData("7E0A", "Reserved")]
    [InlineData("C00A", "Reserved")]
    [InlineData("A1", "Msgpack")]
    [InlineData("820102", "Msgpack")]
    public void The_format_prefix_classifies_the_argument(string hex, string kind) =>
        Assert.Equal(kind, MessageFormat.Classify(Convert.FromHexString(hex)).ToString());
}
