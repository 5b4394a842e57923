using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace EmbeddedPython.Vantiq.Tests.FakeVantiq;

/// <summary>One configured connection on the fake server: sends queries and records every frame the
/// connector sends (as parsed JSON and as raw text).</summary>
public sealed class FakeSession
{
    private readonly WebSocket _socket;
    private readonly bool _binary;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<(JsonNode Json, string Raw)> _frames = [];
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Replies by address, completed by the final one, so that many concurrent queries don't rescan all frames.
    private readonly Dictionary<string, (List<JsonNode> Frames, TaskCompletionSource Final)> _replies = [];

    internal FakeSession(WebSocket socket, bool binary)
    {
        _socket = socket;
        _binary = binary;
    }

    public string Source { get; internal set; } = "";

    /// <summary>Completes with the close status the connector sent (null when the connection just broke).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public IReadOnlyList<JsonNode> Frames
    {
        get { lock (_frames) return _frames.Select(f => f.Json).ToList(); }
    }

    public IReadOnlyList<string> RawFrames
    {
        get { lock (_frames) return _frames.Select(f => f.Raw).ToList(); }
    }

    public async Task SendAsync(string json, bool? binary = null)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), binary ?? _binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a query whose WITH object is <paramref name="with"/> (omitted when null) and returns its reply address.</summary>
    public async Task<string> SendQueryAsync(JsonNode? with, bool? binary = null, bool replyHeader = true)
    {
        var address = Guid.NewGuid().ToString();
        var query = new JsonObject
        {
            ["op"] = "query", ["resourceName"] = "sources", ["resourceId"] = Source, ["isSystemResource"] = true,
            ["contentType"] = "application/json", ["skipMonitoring"] = false, ["isExternal"] = false, ["address"] = Guid.NewGuid().ToString(),
            ["messageHeaders"] = replyHeader ? new JsonObject { ["REPLY_ADDR_HEADER"] = address } : new JsonObject(),
        };
        if (with is not null)
            query["object"] = with.DeepClone();
        await SendAsync(query.ToJsonString(), binary);
        return address;
    }

    /// <summary>Sends a query and returns every reply frame for it up to and including the final one (status other than 100).</summary>
    public async Task<IReadOnlyList<JsonNode>> QueryAsync(JsonNode? with, TimeSpan? timeout = null, bool? binary = null)
    {
        var address = await SendQueryAsync(with, binary);
        return await RepliesAsync(address, timeout);
    }

    /// <summary>Sends a query and returns its single final reply (asserting there is no partial one).</summary>
    public async Task<JsonNode> QueryOneAsync(string withJson, TimeSpan? timeout = null)
    {
        var replies = await QueryAsync(JsonNode.Parse(withJson), timeout);
        Assert.Single(replies);
        return replies[0];
    }

    public async Task<IReadOnlyList<JsonNode>> RepliesAsync(string address, TimeSpan? timeout = null)
    {
        var (frames, final) = Replies(address);
        try
        {
            await final.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No final reply for {address}. Last frames received: " + string.Join("\n", RawFrames.TakeLast(10)));
        }
        lock (_frames)
            return frames.ToList();
    }

    private (List<JsonNode> Frames, TaskCompletionSource Final) Replies(string address)
    {
        lock (_frames)
        {
            if (!_replies.TryGetValue(address, out var entry))
                _replies[address] = entry = ([], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return entry;
        }
    }

    public static bool IsReplyTo(JsonNode frame, string address) => (string?)frame["headers"]?["X-Reply-Address"] == address;

    /// <summary>Waits until <paramref name="condition"/> holds for the frames received so far.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<JsonNode>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_frames)
            {
                if (condition(_frames.Select(f => f.Json).ToList()))
                    return;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
                throw new TimeoutException("The connector did not send the expected frames in time. Received: "
                    + string.Join("\n", RawFrames.TakeLast(10)));
        }
    }

    /// <summary>Asserts that nothing arrives for <paramref name="address"/> within <paramref name="wait"/>.</summary>
    public async Task AssertNoReplyAsync(string address, TimeSpan wait)
    {
        await Task.Delay(wait);
        Assert.DoesNotContain(Frames, f => IsReplyTo(f, address));
    }

    /// <summary>After the next frame, stop reading (so pings go unanswered) for <paramref name="time"/>.</summary>
    public void StallAfterNextFrame(TimeSpan time) => _stall = time;

    private TimeSpan? _stall;

    /// <summary>Closes the session with <paramref name="status"/>; true when the close went out, false when the
    /// connector had already dropped the connection (its end is then abnormal anyway).</summary>
    public async Task<bool> CloseAsync(WebSocketCloseStatus status)
    {
        try
        {
            await _socket.CloseOutputAsync(status, null, CancellationToken.None);
            return true;
        }
        catch (WebSocketException) when (_socket.State is WebSocketState.Aborted or WebSocketState.Closed or WebSocketState.CloseReceived)
        {
            return false;
        }
    }

    public void Abort() => _socket.Abort();

    internal async Task<JsonNode?> ReceiveAsync()
    {
        var raw = await ReceiveRawAsync();
        return raw is null ? null : JsonNode.Parse(raw);
    }

    private async Task<string?> ReceiveRawAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.GetMemory(8192), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            buffer.Advance(result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal async Task DrainAsync()
    {
        try
        {
            while (await ReceiveRawAsync() is not null)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    internal async Task RunAsync()
    {
        try
        {
            while (await ReceiveRawAsync() is { } raw)
            {
                var json = JsonNode.Parse(raw)!;
                if ((string?)json["headers"]?["X-Reply-Address"] is { } address)
                {
                    var (replies, final) = Replies(address);
                    lock (_frames)
                        replies.Add(json);
                    if ((int?)json["status"] != 100)
                        final.TrySetResult();
                }
                lock (_frames)
                {
                    _frames.Add((json, raw));
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                if (_stall is { } stall)
                {
                    _stall = null;
                    await Task.Delay(stall);
                }
            }
            _closed.TrySetResult(_socket.CloseStatus);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            _closed.TrySetResult(null);
        }
    }
}
