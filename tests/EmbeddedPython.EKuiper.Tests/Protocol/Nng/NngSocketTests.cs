using System.Text;
using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Tests.Protocol.Nng;

public sealed class NngSocketTests
{
    private static string Url(string name) => $"ipc:///tmp/ekuiper-tests-{Environment.ProcessId}-{name}.ipc";

    [Fact]
    public void The_loaded_library_is_nng_1()
    {
        Assert.StartsWith("1.", NngSocket.LibraryVersion);
    }

    [Fact]
    public void Req_receive_times_out_then_reports_state_then_works_after_a_new_send()
    {
        // Spec §6.1 TestReqSocketTimeoutBehavior: the keepalive logic of the channels relies on exactly this.
        var url = Url("reqtimeout");
        using var rep = NngSocket.Open(NngProtocol.Rep);
        rep.ReceiveTimeout = TimeSpan.FromSeconds(5);
        rep.Listen(url);
        using var req = NngSocket.Open(NngProtocol.Req);
        req.ResendTime = TimeSpan.Zero;
        req.ReceiveTimeout = TimeSpan.FromMilliseconds(500);
        req.Dial(url);

        req.Send("handshake"u8);
        Assert.Equal("handshake", Encoding.UTF8.GetString(rep.Receive()));
        Assert.Equal(5, Assert.Throws<NngException>(() => req.Receive()).Error);
        Assert.Equal(11, Assert.Throws<NngException>(() => req.Receive()).Error);

        req.Send("keepalive"u8);
        Assert.Equal("keepalive", Encoding.UTF8.GetString(rep.Receive()));
        rep.Send("reply"u8);
        Assert.Equal("reply", Encoding.UTF8.GetString(req.Receive()));
    }

    [Fact]
    public void Push_pull_carries_messages_and_can_be_recreated_on_the_same_path()
    {
        // Spec §6.1 TestDataIn/TestDataOut: three messages, twice in a row (close and recreate = restart).
        var url = Url("data");
        for (var round = 0; round < 2; round++)
        {
            using var pull = NngSocket.Open(NngProtocol.Pull);
            pull.ReceiveTimeout = TimeSpan.FromSeconds(5);
            pull.Listen(url);
            using var push = NngSocket.Open(NngProtocol.Push);
            push.SendTimeout = TimeSpan.FromSeconds(5);
            push.Dial(url);
            for (var i = 0; i < 3; i++)
                push.Send("ok"u8);
            for (var i = 0; i < 3; i++)
                Assert.Equal("ok", Encoding.UTF8.GetString(pull.Receive()));
        }
    }

    [Fact]
    public void Dialing_a_path_nobody_listens_on_is_connection_refused()
    {
        using var req = NngSocket.Open(NngProtocol.Req);
        var error = Assert.Throws<NngException>(() => req.Dial(Url("nobody")));
        Assert.Equal(6, error.Error);
        Assert.Contains("dial", error.Message);
    }

    [Fact]
    public async Task Closing_a_socket_ends_a_blocked_receive_on_another_thread()
    {
        var url = Url("close");
        var pull = NngSocket.Open(NngProtocol.Pull);
        pull.Listen(url);
        var receive = Task.Run(() => Assert.Throws<NngException>(() => pull.Receive()));
        await Task.Delay(100);
        pull.Dispose();
        Assert.Equal(7, (await receive.WaitAsync(TimeSpan.FromSeconds(5))).Error);
    }
}
