using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using EmbeddedPython.Tasks.Diagnostics;
using EmbeddedPython.Tasks.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Tasks.Protocol;

/// <summary>
/// <c>ws://127.0.0.1:&lt;port&gt;/&lt;pid&gt;</c>: a peer's text and binary messages go, in order, to the task with
/// that pid, which takes the connection with <c>wait_for_socket_from_web()</c>; what the task sends back on
/// it goes to the peer. Served by Kestrel on loopback only.
/// </summary>
internal sealed class TaskWebSocketServer(PythonTaskHost host, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<TaskWebSocketServer>();
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private long _lastConnection;

    /// <summary>The port listened on, once started.</summary>
    public int? Port { get; private set; }

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        Log.WebSocketListening(_logger, address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Queues a message (string or byte[]) for the peer; false when the connection has closed.
    /// Called from the task's thread.</summary>
    public bool Send(long connection, object? message) =>
        _connections.TryGetValue(connection, out var target) && target.Outgoing.Writer.TryWrite(message ?? "");

    /// <summary>Closes the connection from the task's side (sync_close).</summary>
    public void Close(long connection)
    {
        if (_connections.TryGetValue(connection, out var target))
            target.Outgoing.Writer.TryComplete();
    }

    /// <summary>Closes every connection of a task that ended.</summary>
    public void CloseAll(Guid pid)
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.Pid == pid)
                connection.Outgoing.Writer.TryComplete();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.Trim('/');
        if (!Guid.TryParse(path, out var pid) || !host.IsRunning(pid))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"No running task has pid '{path}'.").ConfigureAwait(false);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Connect with a websocket client.").ConfigureAwait(false);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new Connection(Interlocked.Increment(ref _lastConnection), pid, socket);
        _connections[connection.Id] = connection;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            if (!await host.WebConnectedAsync(pid, connection.Id, aborted.Token).ConfigureAwait(false))
            {
                await socket.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "the task has ended", aborted.Token).ConfigureAwait(false);
                return;
            }
            var sending = SendLoopAsync(connection, aborted.Token);
            await ReceiveLoopAsync(connection, aborted.Token).ConfigureAwait(false);
            connection.Outgoing.Writer.TryComplete();
            await sending.ConfigureAwait(false);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            Log.WebSocketFailed(_logger, error, connection.Id, pid);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            if (!_stopping.IsCancellationRequested)
                await host.WebMessageAsync(connection.Id, null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Each complete message goes to the task, in order, before the next is read.</summary>
    private async Task ReceiveLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await connection.Socket.ReceiveAsync(message.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
                return;
            message.Advance(result.Count);
            if (!result.EndOfMessage)
                continue;
            object value = result.MessageType == WebSocketMessageType.Text
                ? Encoding.UTF8.GetString(message.WrittenSpan)
                : message.WrittenSpan.ToArray();
            message.ResetWrittenCount();
            await host.WebMessageAsync(connection.Id, value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the task sends, then a normal close once the task closes its side (or ends).</summary>
    private static async Task SendLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        await foreach (var message in connection.Outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var (bytes, type) = message is byte[] binary
                ? (binary, WebSocketMessageType.Binary)
                : (Encoding.UTF8.GetBytes(message?.ToString() ?? ""), WebSocketMessageType.Text);
            await connection.Socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        if (connection.Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed by the task", cancellationToken).ConfigureAwait(false);
    }

    private sealed record Connection(long Id, Guid Pid, WebSocket Socket)
    {
        public Channel<object?> Outgoing { get; } = Channel.CreateUnbounded<object?>(new UnboundedChannelOptions { SingleReader = true });
    }
}
