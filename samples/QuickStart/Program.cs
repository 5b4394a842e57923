using EmbeddedPython;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A generic host with the executor registered: Python starts with the host.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPythonExecutor(options => options.DefaultTimeout = TimeSpan.FromSeconds(10));
using var host = builder.Build();
await host.StartAsync();

var python = host.Services.GetRequiredService<IPythonExecutor>();

// Preset values become globals; the globals the code leaves behind come back as .NET values.
var result = await python.ExecuteAsync(new PythonRequest
{
    Name = "greeting",
    Code = """
        import math, sys
        greeting = f"Hello, {name}! sqrt({number}) = {math.sqrt(number)}"
        squares = [i * i for i in range(count)]
        version = sys.version.split()[0]
        print("printed from Python")
        """,
    PresetValues = new Dictionary<string, object?> { ["name"] = ".NET", ["number"] = 2.0, ["count"] = 5 },
});

foreach (var (name, value) in result.Values)
    Console.WriteLine($"{name} = {Format(value)}");
Console.Write($"output: {result.Output}");

// Code that handles its own return streams results with await foreach.
await foreach (var message in python.StreamAsync(new PythonRequest
{
    Code = """
        import asyncio, embedded_python
        for i in range(3):
            embedded_python.emit({"step": i})
            await asyncio.sleep(0.01)
        embedded_python.complete("done")
        """,
}))
{
    Console.WriteLine($"streamed: {Format(message.Value)}{(message.IsFinal ? " (final)" : "")}");
}

await host.StopAsync();

static string Format(object? value) => value switch
{
    null => "None",
    string s => s,
    System.Collections.IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {Format(d[k])}")) + "}",
    System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
    _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
};
