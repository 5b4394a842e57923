// A stand-in for python that eKuiper can start for its Python portable plugins: set eKuiper's portable.pythonBin
// (or KUIPER__PORTABLE__PYTHONBIN) to this executable. eKuiper runs `<pythonBin> -u <plugin>.py {"sendTimeout":1000}`
// in the plugin folder; the plugin then runs inside this .NET process, on the EmbeddedPython interpreter.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Interpreter-style flags (-u, -B, ...) come before the script and mean nothing here: output is never buffered.
var positional = args.SkipWhile(a => a.StartsWith('-')).ToList();
if (positional.Count == 0)
{
    Console.Error.WriteLine("usage: EKuiperPlugin [-u] <plugin script.py> [json argument]");
    Console.Error.WriteLine($"example: EKuiperPlugin -u {Path.Combine(AppContext.BaseDirectory, "pysam", "pysam.py")} '{{\"sendTimeout\":1000}}'");
    return 2;
}
var script = Path.GetFullPath(positional[0]);
// eKuiper starts plugins in their folder; plugins open relative paths from there.
Directory.SetCurrentDirectory(Path.GetDirectoryName(script)!);

var builder = Host.CreateApplicationBuilder();
builder.Services.AddEKuiperPluginHost(options =>
{
    options.Plugins.Add(script);
    foreach (var argument in positional.Skip(1))
        options.Arguments.Add(argument);
    // This process is the plugin's process: when eKuiper goes, so do we (as the original does).
    options.StopWhenControlLost = true;
    // Answer eKuiper at once, even while the plugin still imports (its initTimeout counts from the launch).
    options.HandshakeBeforeScript = true;
});
await builder.Build().RunAsync();
return Environment.ExitCode;
