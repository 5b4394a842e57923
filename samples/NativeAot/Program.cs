using System.Diagnostics.CodeAnalysis;
using EmbeddedPython;

// The library in a NativeAOT binary, without a generic host: a request, typed calls, callbacks (plain and
// Task-returning) and a stream. Each result is checked, so the exit code says whether it all worked.
var failures = 0;
void Check(bool ok, string what, object? seen)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {seen}");
    if (!ok)
        failures++;
}

KeepNestedRecords();
await using var python = new PythonExecutor(new PythonExecutorOptions
{
    SearchPaths = { Path.Combine(AppContext.BaseDirectory, "python") },
});

var request = await python.ExecuteAsync(new PythonRequest
{
    Code = "import sys\nversion = '%d.%d' % sys.version_info[:2]\ndoubled = [x * 2 for x in values]",
    PresetValues = new Dictionary<string, object?> { ["values"] = new List<object?> { 1, 2, 3 } },
});
Check(request.Get<List<long>>("doubled") is [2, 4, 6], "request", string.Join(",", request.Get<List<long>>("doubled")));
Console.WriteLine($"     Python {request.Get<string>("version")}");

double[] amounts = [40.0, 25.5, 60.0];
var summary = await python.CallAsync<Summary>("shop", "summarise", "ada", amounts);
Check(summary is { Customer: "ada", Total: 125.5, Tier: Tier.Gold } && summary.Largest is [60.0, 40.0], "typed call",
    $"{summary.Customer} total {summary.Total} largest [{string.Join(", ", summary.Largest)}] {summary.Tier}");

var orders = await python.CallAsync<List<Order>>("shop", "recent_orders");
Check(orders is [{ Id: 7, Customer: { Name: "ada", Tier: Tier.Gold }, Lines: [{ Product: "tea", Quantity: 2 }] }, { Id: 8, Lines: [] }], "nested records",
    string.Join("; ", orders.Select(o => $"{o.Id} {o.Customer.Name} {o.Customer.Tier} lines {o.Lines.Length}")));

var tier = await python.CallAsync<Tier>("shop", "tier_of", 60);
Check(tier == Tier.Silver, "enum result", tier);

var discounted = await python.CallAsync<List<double>>("shop", "apply_discount", (Func<double, double>)(a => a * 0.9), amounts);
Check(discounted.Select(d => Math.Round(d, 2)).SequenceEqual([36.0, 22.95, 54.0]), "callback", string.Join(",", discounted));

Func<long, Task<string>> lookUp = async id =>
{
    await Task.Delay(5);
    return $"customer-{id}";
};
var names = await python.CallAsync<string[]>("shop", "look_up_all", lookUp, new long[] { 1, 2, 3 });
Check(names is ["customer-1", "customer-2", "customer-3"], "awaited Task callback", string.Join(",", names));

var streamed = new List<int>();
await foreach (var value in python.StreamCallAsync<int>(new PythonCall("shop", "countdown") { Args = [3] }))
    streamed.Add(value);
Check(streamed is [3, 2, 1], "stream", string.Join(",", streamed));

var refused = await Record(() => python.CallAsync<Summary>("shop", "tier_of", 10));
Check(refused is PythonConversionException, "a value that does not fit is a clear error", refused?.Message);

// Without reflection-based JSON an arbitrary object has no Python form: the error says what to pass instead.
var poco = await Record(() => python.ExecuteAsync("seen = value", new Dictionary<string, object?> { ["value"] = new Uri("https://example.org") }));
Check(poco is ArgumentException && poco.Message.Contains("without reflection", StringComparison.Ordinal), "an object without a Python form is a clear error", poco?.Message);

Console.WriteLine(failures == 0 ? "NativeAOT sample: all checks passed" : $"NativeAOT sample: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

// Trimming keeps the members of the type a call names (List<Order> here), not of the records inside it.
[DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(Order))]
[DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(Customer))]
[DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(OrderLine))]
static void KeepNestedRecords()
{
}

static async Task<Exception?> Record(Func<Task> action)
{
    try
    {
        await action();
        return null;
    }
    catch (Exception e)
    {
        return e;
    }
}

/// <summary>What <c>shop.summarise</c> returns, read by member name.</summary>
internal sealed record Summary(string Customer, double Total, double Mean, List<double> Largest, Tier Tier);

internal sealed record Order(int Id, Customer Customer, OrderLine[] Lines);

internal sealed record Customer(string Name, Tier Tier);

internal sealed record OrderLine(string Product, int Quantity);

internal enum Tier
{
    Bronze = 1,
    Silver = 2,
    Gold = 3,
}
