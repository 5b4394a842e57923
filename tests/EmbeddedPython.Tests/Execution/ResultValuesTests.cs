using EmbeddedPython.Execution;

namespace EmbeddedPython.Tests.Execution;

/// <summary>The returned globals of a result: few in two arrays, many in a dictionary, the same to a reader.</summary>
[Collection(PythonCollection.Name)]
public sealed class ResultValuesTests(PythonFixture fixture)
{
    [Fact]
    public void Few_values_are_found_by_name_in_the_order_they_were_collected()
    {
        var builder = new ResultValues.Builder(1);
        builder.Add("y", 42L);
        builder.Add("name", "x");
        builder.Add("nothing", null);
        var values = builder.Build();

        Assert.IsType<ResultValues>(values);
        Assert.Equal(3, values.Count);
        Assert.Equal(42L, values["y"]);
        Assert.True(values.TryGetValue("nothing", out var nothing));
        Assert.Null(nothing);
        Assert.False(values.ContainsKey("Y")); // ordinal, as the dictionary it replaces
        Assert.Equal(["y", "name", "nothing"], values.Keys);
        Assert.Equal([42L, "x", null], values.Values);
        Assert.Equal(["y", "name", "nothing"], values.Select(pair => pair.Key));
        Assert.Contains("'missing'", Assert.Throws<KeyNotFoundException>(() => values["missing"]).Message);
    }

    [Fact]
    public void A_name_collected_twice_keeps_its_last_value()
    {
        var builder = new ResultValues.Builder(2);
        builder.Add("y", 1L);
        builder.Add("y", 2L);
        var values = builder.Build();
        Assert.Single(values);
        Assert.Equal(2L, values["y"]);
    }

    [Fact]
    public void More_values_than_MaxCount_go_into_a_dictionary_with_none_lost()
    {
        var builder = new ResultValues.Builder(2);
        var count = ResultValues.MaxCount + 5;
        for (var i = 0; i < count; i++)
            builder.Add($"v{i}", (long)i);
        builder.Add("v0", -1L);
        var values = builder.Build();

        Assert.IsType<Dictionary<string, object?>>(values);
        Assert.Equal(count, values.Count);
        Assert.Equal(-1L, values["v0"]);
        Assert.Equal((long)(count - 1), values[$"v{count - 1}"]);
    }

    [Fact]
    public async Task A_request_returns_every_global_whether_few_or_many()
    {
        var few = await fixture.Executor.ExecuteAsync("a = 1\nb = 'two'");
        Assert.Equal(new Dictionary<string, object?> { ["a"] = 1L, ["b"] = "two" }, few.Values);

        var many = await fixture.Executor.ExecuteAsync("for i in range(20):\n    globals()[f'g{i}'] = i\ndel i");
        Assert.Equal(Enumerable.Range(0, 20).ToDictionary(i => $"g{i}", i => (object?)(long)i), many.Values);

        var limited = await fixture.Executor.ExecuteAsync(new PythonRequest { Code = "a = 1\nb = 2\nc = 3", LimitReturnTo = ["c", "a", "missing"] });
        Assert.Equal(["c", "a"], limited.Values.Keys);
    }
}
