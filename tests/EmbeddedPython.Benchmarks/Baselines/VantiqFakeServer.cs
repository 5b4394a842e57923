using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The Vantiq server both connectors of the Vantiq scenario talk to (the websocket of the extension-source
/// protocol, as in the Vantiq spec 1.3–1.5): validate, connectExtension, configureExtension, then queries and
/// their replies, on 127.0.0.1 through Kestrel. Lean on purpose: a reply is matched to its query by reading
/// only its status and reply address, so that the server's own cost weighs the same, and little, on both sides.
/// </summary>
internal sealed class VantiqFakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Channel<Session>> _sessions = new(StringComparer.Ordinal);

    private VantiqFakeServer(WebApplication app) => _app = app;

    public const string Token = "bench-token";

    /// <summary>http://127.0.0.1:port</summary>
    public Uri BaseUri { get; private set; } = null!;

    public static async Task<VantiqFakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new VantiqFakeServer(app);
        app.UseWebSockets();
        app.Map("/api/v1/wsock/websocket", server.AcceptAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    /// <summary>The configured session of <paramref name="source"/>, once a connector reached configureExtension.</summary>
    public async Task<Session> SessionAsync(string source, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            return await Sessions(source).Reader.ReadAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"No connector configured source {source} within {timeout}.", e);
        }
    }

    private Channel<Session> Sessions(string source) => _sessions.GetOrAdd(source, _ => Channel.CreateUnbounded<Session>());

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>(4096);
        if (!await ReceiveAsync(socket, buffer).ConfigureAwait(false))
            return; // validate
        await SendTextAsync(socket, """{"status": 200, "contentType": "application/json", "body": {"anonymous": false, "userInfo": {"username": "bench"}}}""").ConfigureAwait(false);
        if (!await ReceiveAsync(socket, buffer).ConfigureAwait(false))
            return; // connectExtension
        string source;
        using (var connect = JsonDocument.Parse(buffer.WrittenMemory))
            source = connect.RootElement.GetProperty("resourceId").GetString()!;
        await SendTextAsync(socket, "{\"op\": \"configureExtension\", \"resourceName\": \"sources\", \"resourceId\": " + JsonSerializer.Serialize(source)
            + ", \"object\": {\"config\": {\"config\": {\"pythonExecConfig\": {\"general\": {}}}}}}").ConfigureAwait(false);
        var session = new Session(socket, source);
        await Sessions(source).Writer.WriteAsync(session).ConfigureAwait(false);
        await session.RunAsync(buffer).ConfigureAwait(false);
    }

    private static Task SendTextAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<bool> ReceiveAsync(WebSocket socket, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
                return false;
            buffer.Advance(result.Count);
        }
        while (!result.EndOfMessage);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(bound.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One connector's configured websocket: sends queries, completes each with its final reply's body.</summary>
    internal sealed class Session
    {
        private static readonly byte[] s_replyAddress = "X-Reply-Address"u8.ToArray();
        private readonly WebSocket _socket;
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _pending = new(StringComparer.Ordinal);
        private long _next;

        public Session(WebSocket socket, string source)
        {
            _socket = socket;
            Source = source;
        }

        public string Source { get; }

        /// <summary>Sends a query with <paramref name="withJson"/> as its WITH object; completes with the final reply's body (JSON text).</summary>
        public async Task<string> QueryAsync(string withJson)
        {
            var address = "q" + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[address] = done;
            var frame = Encoding.UTF8.GetBytes("{\"op\": \"query\", \"resourceName\": \"sources\", \"resourceId\": \"" + Source
                + "\", \"messageHeaders\": {\"REPLY_ADDR_HEADER\": \"" + address + "\"}, \"object\": " + withJson + "}");
            await _sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
            return await done.Task.ConfigureAwait(false);
        }

        internal async Task RunAsync(ArrayBufferWriter<byte> buffer)
        {
            try
            {
                while (await ReceiveAsync(_socket, buffer).ConfigureAwait(false))
                    Complete(buffer.WrittenSpan);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // The connector went away.
            }
            foreach (var pending in _pending.Values)
                pending.TrySetException(new WebSocketException("The connector closed the connection."));
        }

        /// <summary>Completes the query a final reply (status other than 100) answers; other frames are ignored.</summary>
        private void Complete(ReadOnlySpan<byte> frame)
        {
            var reader = new Utf8JsonReader(frame);
            int? status = null;
            string? address = null;
            var bodyStart = -1;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                    continue;
                if (reader.CurrentDepth == 1 && reader.ValueTextEquals("status"))
                {
                    reader.Read();
                    status = reader.GetInt32();
                }
                else if (reader.ValueTextEquals(s_replyAddress))
                {
                    reader.Read();
                    address = reader.GetString();
                }
                else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("body"))
                {
                    reader.Read();
                    bodyStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var body = Encoding.UTF8.GetString(frame[bodyStart..(int)reader.BytesConsumed]);
                    if (status is not null and not 100 && address is not null && _pending.TryRemove(address, out var waiting))
                        waiting.TrySetResult(body);
                    return;
                }
            }
            if (status is not null and not 100 && address is not null && _pending.TryRemove(address, out var done))
                done.TrySetResult("");
        }
    }
}
