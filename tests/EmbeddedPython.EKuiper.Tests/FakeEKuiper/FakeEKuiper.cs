using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Tests.FakeEKuiper;

/// <summary>
/// The eKuiper side of one plugin, written from the spec (§2, §3.6) over real nng ipc sockets: a REP listener on
/// the control channel whose commands go out as replies to the plugin's latest request, skipping replies that
/// start with 'h' (stale keepalive handshakes) by sending the same command again.
/// </summary>
public sealed class FakeEKuiper : IDisposable
{
    private readonly object _gate = new();
    private NngSocket _control;

    public FakeEKuiper(string pluginName)
    {
        PluginName = pluginName;
        _control = ListenControl();
    }

    public string PluginName { get; }

    // Go's encoder writes a quote inside a string as \" (System.Text.Json's default would write \u0022).
    private static readonly JsonSerializerOptions GoLike = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(object value) => JsonSerializer.Serialize(value, GoLike);

    public string ControlUrl => $"ipc:///tmp/plugin_{PluginName}.ipc";

    /// <summary>Waits for the plugin's first request (the SDK's 9 bytes "handshake"; the content is not checked by eKuiper).</summary>
    public string WaitForHandshake(TimeSpan within)
    {
        _control.ReceiveTimeout = within;
        var first = Encoding.UTF8.GetString(_control.Receive());
        _control.ReceiveTimeout = TimeSpan.FromSeconds(30);
        return first;
    }

    /// <summary>Sends a command and returns the reply text (spec §3.6).</summary>
    public string Send(string command)
    {
        lock (_gate)
            return Encoding.UTF8.GetString(Exchange(_control, Encoding.UTF8.GetBytes(command)));
    }

    public string Start(string symbol, string pluginType, string ruleId = "", string opId = "", long instanceId = 0, object? config = null) =>
        Send(Command("start", symbol, pluginType, ruleId, opId, instanceId, config));

    public string Stop(string symbol, string pluginType, string ruleId = "", string opId = "", long instanceId = 0, object? config = null) =>
        Send(Command("stop", symbol, pluginType, ruleId, opId, instanceId, config));

    /// <summary>eKuiper restarted its control listener (the same URL, a new socket).</summary>
    public void RestartControl()
    {
        lock (_gate)
        {
            _control.Dispose();
            _control = ListenControl();
        }
    }

    /// <summary>The command as eKuiper encodes it: compact JSON, cmd then arg, arg the double-encoded Control
    /// object in Go field order, dataSource and config left out when empty (spec §3.2).</summary>
    public static string Command(string cmd, string symbol, string pluginType, string ruleId, string opId, long instanceId,
        object? config = null, string? dataSource = null)
    {
        var inner = new StringBuilder();
        inner.Append("{\"symbolName\":").Append(Json(symbol))
            .Append(",\"meta\":{\"ruleId\":").Append(Json(ruleId))
            .Append(",\"opId\":").Append(Json(opId))
            .Append(",\"instanceId\":").Append(instanceId).Append('}')
            .Append(",\"pluginType\":").Append(Json(pluginType));
        if (!string.IsNullOrEmpty(dataSource))
            inner.Append(",\"dataSource\":").Append(Json(dataSource));
        if (config is not null)
            inner.Append(",\"config\":").Append(Json(config));
        inner.Append('}');
        return "{\"cmd\":" + Json(cmd) + ",\"arg\":" + Json(inner.ToString()) + "}";
    }

    /// <summary>eKuiper's send algorithm on a REP socket: reply to the latest request (receiving one first when
    /// there is none to answer), then wait for the answer; an answer starting with 'h' means "send it again".</summary>
    internal static byte[] Exchange(NngSocket rep, byte[] payload)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            try
            {
                rep.Send(payload);
            }
            catch (NngException e) when (e.Error == 11)
            {
                rep.Receive();
                rep.Send(payload);
            }
            var answer = rep.Receive();
            if (answer.Length == 0 || answer[0] != (byte)'h')
                return answer;
        }
        throw new InvalidOperationException("the plugin answered only handshakes");
    }

    private NngSocket ListenControl()
    {
        var socket = NngSocket.Open(NngProtocol.Rep);
        socket.ReceiveTimeout = TimeSpan.FromSeconds(30);
        socket.SendTimeout = TimeSpan.FromSeconds(5);
        socket.Listen(ControlUrl);
        return socket;
    }

    public void Dispose() => _control.Dispose();
}

/// <summary>eKuiper's end of a function channel: REP listens on func_&lt;symbol&gt;.ipc, calls are replies.</summary>
public sealed class FakeFunctionPeer : IDisposable
{
    private readonly NngSocket _rep = NngSocket.Open(NngProtocol.Rep);

    public FakeFunctionPeer(string symbol)
    {
        _rep.ReceiveTimeout = TimeSpan.FromSeconds(5);
        _rep.SendTimeout = TimeSpan.FromSeconds(5);
        _rep.Listen($"ipc:///tmp/func_{symbol}.ipc");
    }

    public string Call(string request) => Encoding.UTF8.GetString(FakeEKuiper.Exchange(_rep, Encoding.UTF8.GetBytes(request)));

    public void Dispose() => _rep.Dispose();
}

/// <summary>eKuiper's end of a source: PULL listens on &lt;rule&gt;_&lt;op&gt;_&lt;inst&gt;.ipc before the start command.</summary>
public sealed class FakeSourcePeer : IDisposable
{
    private readonly NngSocket _pull = NngSocket.Open(NngProtocol.Pull);

    public FakeSourcePeer(string ruleId, string opId, long instanceId)
    {
        _pull.ReceiveTimeout = TimeSpan.FromSeconds(5);
        _pull.Listen($"ipc:///tmp/{ruleId}_{opId}_{instanceId}.ipc");
    }

    public byte[] Receive() => _pull.Receive();

    public string ReceiveText() => Encoding.UTF8.GetString(_pull.Receive());

    public byte[]? TryReceive() => _pull.TryReceive();

    public void Dispose() => _pull.Dispose();
}

/// <summary>eKuiper's end of a sink: PULL listens for acks before the start command, PUSH dials the data URL after "ok".</summary>
public sealed class FakeSinkPeer : IDisposable
{
    private readonly NngSocket _ack = NngSocket.Open(NngProtocol.Pull);
    private readonly NngSocket _data = NngSocket.Open(NngProtocol.Push);
    private readonly string _dataUrl;

    public FakeSinkPeer(string ruleId, string opId, long instanceId)
    {
        _dataUrl = $"ipc:///tmp/{ruleId}_{opId}_{instanceId}.ipc";
        _ack.ReceiveTimeout = TimeSpan.FromSeconds(5);
        _ack.Listen($"ipc:///tmp/{ruleId}_{opId}_{instanceId}_ack.ipc");
        _data.SendTimeout = TimeSpan.FromSeconds(5);
    }

    /// <summary>After the plugin replied ok: eKuiper's synchronous first dial must succeed.</summary>
    public void Connect() => _data.Dial(_dataUrl);

    public void Send(string message) => _data.Send(Encoding.UTF8.GetBytes(message));

    public void Send(byte[] message) => _data.Send(message);

    public string ReceiveAck() => Encoding.UTF8.GetString(_ack.Receive());

    public byte[]? TryReceiveAck() => _ack.TryReceive();

    public void Dispose()
    {
        _data.Dispose();
        _ack.Dispose();
    }
}
