using EmbeddedPython;
using EmbeddedPython.Generated;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The .py files listed as AdditionalFiles in TypedModule.csproj became ITextTools and IAnalytics at build
// time; AddPythonModules registers them and makes the copied python/ folder importable.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPythonExecutor(options => options.DefaultTimeout = TimeSpan.FromSeconds(20));
builder.Services.AddPythonModules();
using var host = builder.Build();
await host.StartAsync();

var text = host.Services.GetRequiredService<ITextTools>();
var analytics = host.Services.GetRequiredService<IAnalytics>();

Console.WriteLine($"count_words: {await text.CountWordsAsync("the quick brown fox jumps", minLength: 4)}");

Reading[] readings = [new("kitchen", 20.5), new("kitchen", 23.0), new("kitchen", 22.0)];
var summary = await analytics.SummariseAsync(readings);
Console.WriteLine($"summarise (dataclass in and out): {summary}");

var scaled = await analytics.ScaleAsync(summary, factor: 1.5, mode: "add");
Console.WriteLine($"scale (a record passed as a dataclass, Literal checked): {scaled}");
try
{
    await analytics.ScaleAsync(summary, mode: "divide");
}
catch (ArgumentOutOfRangeException e)
{
    Console.WriteLine($"scale with mode 'divide' is refused before Python runs: {e.Message.Split('\n')[0]}");
}

var hottest = await analytics.HottestAsync(readings, above: 30);
Console.WriteLine($"hottest above 30 (Optional): {(hottest is null ? "none" : hottest.ToString())}");

var (low, high) = await analytics.MinMaxAsync([3.5, -1.0, 8.25]);
Console.WriteLine($"min_max (tuple): {low} .. {high}");

var fetched = await Task.WhenAll(analytics.FetchReadingAsync("hall"), analytics.FetchReadingAsync("porch"));
Console.WriteLine($"fetch_reading (async, two at once): {string.Join(", ", fetched.Select(r => r.Sensor))}");

Console.Write("countdown (generator):");
await foreach (var step in analytics.CountdownAsync(3))
    Console.Write($" {step}");
Console.WriteLine();

if (await analytics.NumpyAvailableAsync())
{
    var averaged = await analytics.MovingAverageAsync(new double[] { 1, 2, 3, 4, 5, 6 }, window: 3);
    Console.WriteLine($"moving_average (numpy buffer, shape [{string.Join(", ", averaged.Shape)}]): {string.Join(", ", averaged.Data.ToArray())}");
}
else
{
    Console.WriteLine("moving_average: numpy is not installed for this Python; run with EMBEDDEDPYTHON_LIBPYTHON=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 (Debian's python3-numpy) to see it");
}

await host.StopAsync();
