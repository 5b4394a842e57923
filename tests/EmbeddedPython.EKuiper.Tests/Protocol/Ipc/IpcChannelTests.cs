using System.Text;
using EmbeddedPython.EKuiper.Protocol.Ipc;
using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Tests.Protocol.Ipc;

/// <summary>The data channels' own SP wire against libnng's push and pull sockets, the way eKuiper's side speaks.</summary>
public sealed class IpcChannelTests
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    private static string Url(string name) => $"ipc:///tmp/ekuiper-ipc-{Environment.ProcessId}-{name}.ipc";

    private static NngSocket NngPush(string url)
    {
        var push = NngSocket.Open(NngProtocol.Push);
        push.SendTimeout = TimeSpan.FromSeconds(5);
        push.Dial(url);
        return push;
    }

    private static NngSocket NngPull(string url)
    {
        var pull = NngSocket.Open(NngProtocol.Pull);
        pull.ReceiveTimeout = TimeSpan.FromSeconds(5);
        pull.Listen(url);
        return pull;
    }

    [Fact]
    public async Task The_pull_end_receives_nng_pushes_in_order_empty_and_large_ones_included()
    {
        var url = Url("pullorder");
        using var pull = IpcPull.Listen(url, 1, Pause);
        using var push = NngPush(url);
        var large = new byte[1 << 20];
        Random.Shared.NextBytes(large);
        // More than the socket buffers hold: the pushes wait for the reads.
        var sent = Task.Run(() =>
        {
            push.Send("first"u8);
            push.Send([]);
            push.Send(large);
            push.Send("last"u8);
        });

        Assert.Equal("first", Encoding.UTF8.GetString(pull.Receive()!));
        Assert.Empty(pull.Receive()!);
        Assert.Equal(large, pull.Receive());
        Assert.Equal("last", Encoding.UTF8.GetString(pull.Receive()!));
        await sent.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_pull_end_takes_the_next_pipe_after_ekuiper_redials_and_drops_a_peer_of_the_wrong_protocol()
    {
        var url = Url("pullredial");
        using var pull = IpcPull.Listen(url, 1, Pause);
        using (var first = NngPush(url))
        {
            first.Send("one"u8);
            Assert.Equal("one", Encoding.UTF8.GetString(pull.Receive()!));
        }
        var next = Task.Run(pull.Receive);
        using (var wrong = NngSocket.Open(NngProtocol.Req))
        {
            wrong.Dial(url);
            await Task.Delay(200);
        }
        using var second = NngPush(url);
        second.Send("two"u8);
        Assert.Equal("two", Encoding.UTF8.GetString((await next.WaitAsync(TimeSpan.FromSeconds(10)))!));
    }

    [Fact]
    public async Task The_push_end_delivers_to_an_nng_pull_and_redials_when_the_listener_comes_back()
    {
        var url = Url("pushredial");
        var pull = NngPull(url);
        using var push = IpcPush.Dial(url, 1, Pause);
        Assert.True(push.Send("{}"u8));
        Assert.Equal("{}", Encoding.UTF8.GetString(pull.Receive()));
        pull.Dispose();

        var resent = Task.Run(() =>
        {
            // The first sends may still go into the closed connection; keep sending until one arrives.
            while (push.Send("again"u8))
                Thread.Sleep(20);
        });
        using var back = NngPull(url);
        Assert.Equal("again", Encoding.UTF8.GetString(back.Receive()));
        push.Dispose();
        await resent.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Closing_unblocks_a_receive_and_a_send_waiting_on_other_threads()
    {
        var url = Url("closing");
        var pull = IpcPull.Listen(url, 1, Pause);
        var receive = Task.Run(pull.Receive);
        await Task.Delay(100);
        pull.Dispose();
        Assert.Null(await receive.WaitAsync(TimeSpan.FromSeconds(5)));

        // A pull that never reads: the push blocks once the socket buffers are full, until it is closed.
        var ackUrl = Url("closingpush");
        using var slow = NngPull(ackUrl);
        var push = IpcPush.Dial(ackUrl, 1, Pause);
        var payload = new byte[64 * 1024];
        var send = Task.Run(() =>
        {
            while (push.Send(payload))
            {
            }
        });
        await Task.Delay(500);
        Assert.False(send.IsCompleted, "the push waits while nobody reads");
        push.Dispose();
        await send.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Listening_removes_a_stale_socket_file_and_refuses_a_path_another_process_listens_on()
    {
        var url = Url("stale");
        var path = url["ipc://".Length..];
        // Left behind by a process that died: nobody accepts on it.
        File.Delete(path);
        File.WriteAllText(path, "");
        using var pull = IpcPull.Listen(url, 1, Pause);

        var error = Assert.Throws<IOException>(() => IpcPull.Listen(url, 2, Pause));
        Assert.Contains("address in use", error.Message);
    }

    [Fact]
    public void Dialing_where_nobody_listens_fails_after_the_retries_naming_the_url()
    {
        var url = Url("nobody");
        File.Delete(url["ipc://".Length..]);
        var error = Assert.Throws<IOException>(() => IpcPush.Dial(url, 3, Pause));
        Assert.Contains(url, error.Message);
    }
}
