using System.Net;
using System.Net.WebSockets;
using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace EmbeddedPython.Tasks.Tests.Protocol;

/// <summary>The per-task endpoint, driven by a real websocket client over loopback.</summary>
[Collection(TaskHostCollection.Name)]
public sealed class TaskWebSocketTests(TaskHostFixture fixture, ITestOutputHelper output) : TaskTestBase(fixture)
{
    [Fact]
    public async Task Ten_thousand_messages_arrive_whole_and_in_order()
    {
        const int Count = 10_000;
        var pid = await Tasks.StartAsync(Guide, "test_web_count.py");
        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Patience);
        await client.ConnectAsync(Tasks.WebSocketUri(pid)!, timeout.Token);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Count; i++)
            await client.SendAsync(Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), WebSocketMessageType.Text, true, timeout.Token);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        await Tasks.WaitAsync(pid).WaitAsync(Patience);
        clock.Stop();

        output.WriteLine($"{Count} messages to a task in {clock.Elapsed.TotalMilliseconds:F0} ms: {Count / clock.Elapsed.TotalSeconds:F0} messages/s");
        Assert.Equal([$"received {Count} in order"], await LinesAsync(pid));
    }

    [Fact]
    public async Task Peer_text_and_binary_messages_reach_the_task_with_that_pid_and_replies_come_back()
    {
        var pid = await Tasks.StartAsync(Guide, "test_web_echo.py");
        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Patience);
        await client.ConnectAsync(Tasks.WebSocketUri(pid)!, timeout.Token);

        await client.SendAsync(Encoding.UTF8.GetBytes("five factorial"), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal(("FIVE FACTORIAL", WebSocketMessageType.Text), await ReceiveAsync(client, timeout.Token));
        await client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, timeout.Token);
        var (reply, type) = await ReceiveAsync(client, timeout.Token);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal("\u0003\u0002\u0001", reply);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        var info = await Tasks.WaitAsync(pid).WaitAsync(Patience);
        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal(["got text 'five factorial'", @"got binary b'\x01\x02\x03'", "peer left"], await LinesAsync(pid));
    }

    [Fact]
    public async Task A_message_split_into_frames_arrives_whole()
    {
        var pid = await Tasks.StartAsync(Guide, "test_web_echo.py");
        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Patience);
        await client.ConnectAsync(Tasks.WebSocketUri(pid)!, timeout.Token);

        var text = new string('x', 100_000) + "end";
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var offset = 0; offset < bytes.Length; offset += 30_000)
        {
            var count = Math.Min(30_000, bytes.Length - offset);
            await client.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == bytes.Length, timeout.Token);
        }
        Assert.Equal(text.ToUpperInvariant(), (await ReceiveAsync(client, timeout.Token)).Text);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        await Tasks.WaitAsync(pid).WaitAsync(Patience);
    }

    [Fact]
    public async Task Connecting_to_a_pid_with_no_running_task_is_refused()
    {
        var (ended, _) = await RunAsync(Guide, "hello_world.py");
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(Tasks.WebSocketUri(ended.Pid)!, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, client.HttpStatusCode);
        Assert.NotNull(refused.Message);
    }

    [Fact]
    public async Task The_endpoint_listens_on_loopback_at_ws_127_0_0_1_port_pid()
    {
        var pid = Guid.NewGuid();
        var uri = Tasks.WebSocketUri(pid)!;

        Assert.Equal("ws", uri.Scheme);
        Assert.Equal("127.0.0.1", uri.Host);
        Assert.Equal("/" + pid, uri.AbsolutePath);
        await Task.CompletedTask;
    }

    private static async Task<(string Text, WebSocketMessageType Type)> ReceiveAsync(ClientWebSocket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return (Encoding.UTF8.GetString(message.ToArray()), result.MessageType);
    }
}
