using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EmbeddedPython.WasmCloud.Tests.Infrastructure;

/// <summary>A real nats-server (Debian package) on a free loopback port, with JetStream for chunking.</summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly string _storeDirectory = Directory.CreateTempSubdirectory("wasmcloud-nats").FullName;
    private Process? _process;

    private readonly string? _configFile;

    private NatsServer(int port, string? configFile = null)
    {
        Port = port;
        _configFile = configFile;
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static async Task<NatsServer> StartAsync()
    {
        var server = new NatsServer(FreePort());
        await server.RunAsync();
        return server;
    }

    /// <summary>A server that admits only the user with this public nkey (clients sign its nonce with the seed).</summary>
    public static async Task<NatsServer> StartWithNkeyUserAsync(string userPublicKey)
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, $"authorization {{ users = [ {{ nkey: {userPublicKey} }} ] }}\n");
        var server = new NatsServer(FreePort(), config);
        await server.RunAsync();
        return server;
    }

    /// <summary>Stops the server and starts it again on the same port (clients must reconnect).</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopAsync();
        await Task.Delay(downtime);
        await RunAsync();
    }

    private async Task RunAsync()
    {
        var binary = new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server is not installed: the wasmCloud tests need the Debian package (apt-get install -y nats-server).");
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-a", "127.0.0.1", "-p", Port.ToString(), "-js", "-sd", _storeDirectory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_configFile is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(_configFile);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task StopAsync()
    {
        if (_process is null)
            return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_storeDirectory, recursive: true);
        if (_configFile is not null)
            File.Delete(_configFile);
    }
}
