namespace EmbeddedPython.Grpc;

/// <summary>Settings of the gRPC services; bound from the configuration section <c>EmbeddedPython:Grpc</c>.</summary>
public sealed class PythonGrpcOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython:Grpc";

    /// <summary>Folder whose files <c>EntryPoint</c> requests may call; entry points are refused when null.</summary>
    public string? CodeDirectory { get; set; }

    /// <summary>The largest time limit a request may ask for. Default 10 minutes.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Serve the executor service without authorization on an address other than loopback. The service
    /// runs any Python it is sent, so by default the host refuses to start when it listens beyond loopback and
    /// the service's endpoints require no authorization (<c>.RequireAuthorization()</c> on
    /// <c>MapPythonExecutor()</c>, or a fallback policy). Set this only behind a boundary of your own.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>The autokitteh runner (served when <see cref="AutokittehRunnerOptions.Enabled"/> is set).</summary>
    public AutokittehRunnerOptions Autokitteh { get; set; } = new();
}

/// <summary>Settings of the autokitteh-compatible runner; the same knobs as autokitteh's runner command line
/// (see <see cref="Autokitteh.RunnerCommandLine"/>).</summary>
public sealed class AutokittehRunnerOptions
{
    /// <summary>Serve <c>autokitteh.user_code.v1.RunnerService</c> and run its start-up checks.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the autokitteh worker's <c>HandlerService</c> listens (<c>host:port</c>). Default <c>localhost:9292</c>.</summary>
    public string WorkerAddress { get; set; } = "localhost:9292";

    /// <summary>The id this runner sends with every worker call. Default <c>runner-1</c>.</summary>
    public string RunnerId { get; set; } = "runner-1";

    /// <summary>The project's code. Default <c>/workflow</c>.</summary>
    public string CodeDirectory { get; set; } = "/workflow";

    /// <summary>The runner stops when no <c>Start</c> arrives within this time. Default 10 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Skip the start-up <c>HandlerService.Health</c> check and the <c>IsActiveRunner</c> polling.</summary>
    public bool SkipCheckWorker { get; set; }

    /// <summary>How often the worker is asked whether this runner is still active. Default 10 s.</summary>
    public TimeSpan LivenessInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Store activity results over 1 MiB in <see cref="LargeObjectsPath"/> and send only a reference
    /// (otherwise such a result fails with "response size too large").</summary>
    public bool EnableLargeObjects { get; set; }

    /// <summary>Where large activity results are stored, under their SHA-256. Default the temp folder.</summary>
    public string LargeObjectsPath { get; set; } = Path.GetTempPath();

    /// <summary>Stop the application once the session is done (autokitteh runs one runner per session). Default true.</summary>
    public bool StopAfterDone { get; set; } = true;
}
