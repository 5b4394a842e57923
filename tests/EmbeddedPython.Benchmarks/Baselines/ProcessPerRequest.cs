using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The process-per-request baseline: <c>python3 -c PROGRAM PRESETS CODE</c> for every request, where
/// PROGRAM loads the JSON presets, runs the code and prints the requested globals as JSON.
/// </summary>
internal static class ProcessPerRequest
{
    private const string Program = """
        import json, sys
        scope = json.loads(sys.argv[1])
        exec(compile(sys.argv[2], "<request>", "exec"), scope)
        print(json.dumps({name: scope[name] for name in json.loads(sys.argv[3])}))
        """;

    public static async Task<Dictionary<string, object?>> RunAsync(string code, IReadOnlyDictionary<string, object?> presets, IReadOnlyList<string> returns)
    {
        var start = new ProcessStartInfo(PythonCommand.Executable)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Program);
        start.ArgumentList.Add(ToJson(presets));
        start.ArgumentList.Add(code);
        start.ArgumentList.Add(ToJson(returns));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");
        var text = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"python3 -c exited with code {process.ExitCode}.");
        using var document = JsonDocument.Parse(text);
        return JsonValues.ReadObject(document.RootElement);
    }

    private static string ToJson(object value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            JsonValues.Write(writer, value);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
