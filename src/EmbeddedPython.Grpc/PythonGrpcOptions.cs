namespace EmbeddedPython.Grpc;

/// <summary>Settings of the gRPC executor service; bound from the configuration section <c>EmbeddedPython:Grpc</c>.</summary>
public sealed class PythonGrpcOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython:Grpc";

    /// <summary>Folder whose files <c>EntryPoint</c> requests may call; entry points are refused when null.</summary>
    public string? CodeDirectory { get; set; }

    /// <summary>The largest time limit a request may ask for. Default 10 minutes.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest memory limit in bytes a request may ask for (<c>memory_limit</c>). Default 1 GiB.</summary>
    public long MaxMemoryLimit { get; set; } = 1L << 30;

    /// <summary>The memory limit in bytes of a request that asks for none; past it the code gets
    /// <c>MemoryError</c> and the caller <c>RESOURCE_EXHAUSTED</c>. Default 256 MiB.</summary>
    public long DefaultMemoryLimit { get; set; } = 256L << 20;

    /// <summary>Serve the services that run Python (the executor service, and the autokitteh runner of
    /// EmbeddedPython.Autokitteh) without authorization on an address other than loopback. They run the Python
    /// they are sent, so by default the host refuses to start when it listens beyond loopback and their
    /// endpoints require no authorization (<c>.RequireAuthorization()</c> on <c>MapPythonExecutor()</c> /
    /// <c>MapAutokittehRunner()</c>, or a fallback policy). Set this only behind a boundary of your own.</summary>
    public bool AllowAnonymous { get; set; }
}
