using System.Net;
using System.Net.Sockets;

namespace EmbeddedPython.Vantiq.Hosting;

/// <summary>The Kubernetes TCP probe of the original (Vantiq spec 1.8): healthy means a listener on the
/// probe port that accepts and closes connections; unhealthy or undeclared means the port is closed.</summary>
internal sealed class HealthProbe : IDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly object _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _accepting;

    public HealthProbe(IPEndPoint endpoint) => _endpoint = endpoint;

    /// <summary>Null until something is declared, then whether the last declaration was healthy.</summary>
    public bool? IsHealthy { get; private set; }

    /// <summary>The port actually listened on (useful with port 0), while healthy.</summary>
    public int? Port => (_listener?.LocalEndpoint as IPEndPoint)?.Port;

    public void DeclareHealthy()
    {
        lock (_gate)
        {
            IsHealthy = true;
            if (_listener is not null)
                return;
            var listener = new TcpListener(_endpoint);
            listener.Start();
            _listener = listener;
            _accepting = new CancellationTokenSource();
            _ = AcceptAsync(listener, _accepting.Token);
        }
    }

    public void DeclareUnhealthy()
    {
        lock (_gate)
        {
            IsHealthy = false;
            Close();
        }
    }

    private static async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The probe was closed.
        }
    }

    private void Close()
    {
        _accepting?.Cancel();
        _accepting?.Dispose();
        _accepting = null;
        _listener?.Stop();
        _listener = null;
    }

    public void Dispose()
    {
        lock (_gate)
            Close();
    }
}
