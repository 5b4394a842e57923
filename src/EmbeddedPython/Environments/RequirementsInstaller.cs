using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using EmbeddedPython.Locating;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Environments;

/// <summary>
/// Prepares <see cref="PythonExecutorOptions.VirtualEnvironment"/> for <see cref="PythonExecutorOptions.Requirements"/>
/// before Python is loaded (DESIGN §6): creates the environment from the located base interpreter when it is
/// missing, then installs the requirements with pip (uv where it is on PATH), unless the requirements, the pip
/// arguments and the interpreter are unchanged since the last install (their hash is kept in the environment).
/// pip is a program of its own, so this runs it as a process; its output goes to the log line by line.
/// </summary>
internal static partial class RequirementsInstaller
{
    private const string StampFile = ".embeddedpython-requirements";

    /// <summary>Finds Python as <see cref="PythonLocator.Locate"/> does, with the environment prepared first.</summary>
    /// <exception cref="InvalidOperationException">Creating the environment or installing failed; the message has the tool's output.</exception>
    public static PythonInstallation Locate(PythonExecutorOptions options, ILogger logger)
    {
        if (options.Requirements is null)
            return PythonLocator.Locate(options);
        var requirements = Path.GetFullPath(options.Requirements);
        if (!File.Exists(requirements))
            throw new ArgumentException($"Requirements '{requirements}' does not exist.");
        var environment = EnvironmentFolder(options);
        if (!File.Exists(Path.Combine(environment, "pyvenv.cfg")))
        {
            var baseInstallation = PythonLocator.Locate(Discovery(options, virtualEnvironment: null));
            Create(environment, BaseInterpreter(baseInstallation), logger);
        }
        var installation = PythonLocator.Locate(Discovery(options, environment));
        Install(environment, requirements, options.PipArguments, logger);
        return installation;
    }

    /// <summary><see cref="PythonExecutorOptions.VirtualEnvironment"/>, or <c>.venv</c> beside the requirements file.</summary>
    public static string EnvironmentFolder(PythonExecutorOptions options) => Path.GetFullPath(
        options.VirtualEnvironment ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Requirements!))!, ".venv"));

    private static PythonExecutorOptions Discovery(PythonExecutorOptions options, string? virtualEnvironment) => new()
    {
        PythonLibrary = options.PythonLibrary,
        VirtualEnvironment = virtualEnvironment,
    };

    /// <summary>The interpreter program beside the located library's standard library (<c>home/bin/python3.X</c>).</summary>
    private static string BaseInterpreter(PythonInstallation installation)
    {
        var home = installation.Home ?? throw new InvalidOperationException(
            $"Cannot create a virtual environment: the prefix of {installation.Library} is unknown. Create it with 'python3 -m venv' and set VirtualEnvironment.");
        foreach (var name in new[] { $"python3.{installation.Minor}", "python3" })
        {
            var candidate = Path.Combine(home, "bin", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"Cannot create a virtual environment: no python3.{installation.Minor} program under {Path.Combine(home, "bin")}.");
    }

    private static void Create(string environment, string baseInterpreter, ILogger logger)
    {
        LogCreating(logger, environment, baseInterpreter);
        if (FindOnPath("uv") is { } uv)
            Run(uv, ["venv", "--python", baseInterpreter, environment], "uv venv", logger);
        else
            Run(baseInterpreter, ["-m", "venv", environment], "python -m venv", logger);
    }

    private static void Install(string environment, string requirements, IList<string> pipArguments, ILogger logger)
    {
        var interpreter = Path.Combine(environment, "bin", "python");
        var target = Path.GetFileName(requirements).Equals("pyproject.toml", StringComparison.OrdinalIgnoreCase)
            ? new[] { Path.GetDirectoryName(requirements)! }          // the project and its dependencies
            : ["-r", requirements];
        var stamp = Path.Combine(environment, StampFile);
        var hash = Hash(requirements, pipArguments, interpreter);
        if (File.Exists(stamp) && File.ReadAllText(stamp).Trim() == hash)
        {
            LogUnchanged(logger, requirements);
            return;
        }
        LogInstalling(logger, requirements, environment);
        if (FindOnPath("uv") is { } uv)
            Run(uv, ["pip", "install", "--python", interpreter, .. target, .. pipArguments], "uv pip install", logger);
        else
            Run(interpreter, ["-m", "pip", "install", "--disable-pip-version-check", .. target, .. pipArguments], "pip install", logger);
        File.WriteAllText(stamp, hash + "\n");
    }

    /// <summary>What an install depends on: the file's bytes, the arguments, and which interpreter runs pip.</summary>
    private static string Hash(string requirements, IList<string> pipArguments, string interpreter)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(requirements));
        foreach (var text in pipArguments.Prepend(interpreter))
            hash.AppendData(Encoding.UTF8.GetBytes("\0" + text));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void Run(string program, IEnumerable<string> arguments, string what, ILogger logger)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var errors = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) LogToolOutput(logger, what, text); };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not { Length: > 0 } text)
                return;
            LogToolError(logger, what, text);
            lock (errors)
            {
                errors.Enqueue(text);
                if (errors.Count > 20)
                    errors.Dequeue();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            lock (errors)
                throw new InvalidOperationException($"{what} failed with exit code {process.ExitCode}:\n" + string.Join("\n", errors));
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    [LoggerMessage(30, LogLevel.Information, "Creating the virtual environment {Environment} from {Interpreter}")]
    private static partial void LogCreating(ILogger logger, string environment, string interpreter);

    [LoggerMessage(31, LogLevel.Information, "Installing {Requirements} into {Environment}")]
    private static partial void LogInstalling(ILogger logger, string requirements, string environment);

    [LoggerMessage(32, LogLevel.Information, "{Requirements} is unchanged since the last install; nothing to install")]
    private static partial void LogUnchanged(ILogger logger, string requirements);

    [LoggerMessage(33, LogLevel.Information, "{Tool}: {Line}")]
    private static partial void LogToolOutput(ILogger logger, string tool, string line);

    [LoggerMessage(34, LogLevel.Warning, "{Tool}: {Line}")]
    private static partial void LogToolError(ILogger logger, string tool, string line);
}
