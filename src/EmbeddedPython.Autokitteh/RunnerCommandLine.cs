using System.Globalization;
using EmbeddedPython.Autokitteh.Protocol;

namespace EmbeddedPython.Autokitteh;

/// <summary>
/// autokitteh's runner command line: <c>--worker-address host:port --port N --runner-id S --code-dir DIR
/// --start-timeout SECONDS --skip-check-worker --enable-large-objects --large-objects-path DIR -h</c>,
/// so a host built on this package can be started the way autokitteh starts its Python runner.
/// </summary>
public sealed record RunnerCommandLine
{
    /// <summary>The usage text printed for <c>-h</c>.</summary>
    public const string Usage = """
        usage: runner [-h] [--worker-address HOST:PORT] [--port PORT] [--runner-id ID] [--code-dir DIR]
                      [--start-timeout SECONDS] [--skip-check-worker] [--enable-large-objects]
                      [--large-objects-path DIR]
        """;

    /// <summary>The runner settings the arguments give (<see cref="AutokittehRunnerOptions.Enabled"/> set).</summary>
    public AutokittehRunnerOptions Options { get; init; } = new() { Enabled = true };

    /// <summary>The port to serve <c>RunnerService</c> on. Default 9293.</summary>
    public int Port { get; init; } = 9293;

    /// <summary><c>-h</c> was given: print <see cref="Usage"/> and exit 0.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>What was wrong with the arguments, or null; the runner exits with <c>error: ...</c>.</summary>
    public string? Error { get; init; }

    /// <summary>Copies the settings the arguments give onto <paramref name="options"/>, for
    /// <c>services.AddAutokittehRunner(line.ApplyTo)</c>.</summary>
    /// <param name="options">The runner's options.</param>
    public void ApplyTo(AutokittehRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Enabled = Options.Enabled;
        options.WorkerAddress = Options.WorkerAddress;
        options.RunnerId = Options.RunnerId;
        options.CodeDirectory = Options.CodeDirectory;
        options.StartTimeout = Options.StartTimeout;
        options.SkipCheckWorker = Options.SkipCheckWorker;
        options.LivenessInterval = Options.LivenessInterval;
        options.EnableLargeObjects = Options.EnableLargeObjects;
        options.LargeObjectsPath = Options.LargeObjectsPath;
        options.StopAfterDone = Options.StopAfterDone;
    }

    /// <summary>Reads the arguments; never throws (see <see cref="Error"/>).</summary>
    public static RunnerCommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new AutokittehRunnerOptions { Enabled = true, CodeDirectory = "/workflow", LargeObjectsPath = "/tmp" };
        var port = 9293;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string? Next() => i + 1 < args.Count ? args[++i] : null;
            switch (flag)
            {
                case "-h" or "--help":
                    return new RunnerCommandLine { ShowHelp = true, Options = options, Port = port };
                case "--skip-check-worker":
                    options.SkipCheckWorker = true;
                    break;
                case "--enable-large-objects":
                    options.EnableLargeObjects = true;
                    break;
                case "--large-objects-path":
                    var store = Next();
                    if (store is null)
                        return Fail(flag, "needs a value");
                    options.LargeObjectsPath = store;
                    break;
                case "--worker-address":
                    var address = Next();
                    if (address is null || WorkerAddress.Parse(address).Error is { } addressError)
                        return Fail(flag, address is null ? "needs a value" : WorkerAddress.Parse(address).Error!);
                    options.WorkerAddress = address;
                    break;
                case "--port":
                    if (!int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                        return Fail(flag, "must be a port number 0..65535");
                    break;
                case "--runner-id":
                    var id = Next();
                    if (string.IsNullOrEmpty(id))
                        return Fail(flag, "must not be empty");
                    options.RunnerId = id;
                    break;
                case "--code-dir":
                    var directory = Next();
                    if (directory is null || !Directory.Exists(directory))
                        return Fail(flag, $"'{directory}' is not a directory");
                    options.CodeDirectory = Path.GetFullPath(directory);
                    break;
                case "--start-timeout":
                    if (!double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || !double.IsFinite(seconds))
                        return Fail(flag, "must be a positive number of seconds");
                    options.StartTimeout = TimeSpan.FromSeconds(seconds);
                    break;
                default:
                    return Fail(flag, "is not a known argument");
            }
        }
        return new RunnerCommandLine { Options = options, Port = port };
    }

    private static RunnerCommandLine Fail(string flag, string problem) => new() { Error = $"error: {flag} {problem}" };
}
