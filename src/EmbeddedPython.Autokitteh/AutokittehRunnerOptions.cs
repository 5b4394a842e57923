namespace EmbeddedPython.Autokitteh;

/// <summary>Settings of the autokitteh-compatible runner, bound from the configuration section
/// <c>EmbeddedPython:Autokitteh</c>; the same knobs as autokitteh's runner command line (see
/// <see cref="RunnerCommandLine"/>).</summary>
public sealed class AutokittehRunnerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython:Autokitteh";

    /// <summary>Where these settings were read before the runner became its own package; still read, with a
    /// deprecation warning in the log, when <see cref="SectionName"/> is absent.</summary>
    public const string ObsoleteSectionName = "EmbeddedPython:Grpc:Autokitteh";

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
