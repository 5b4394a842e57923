namespace EmbeddedPython.EKuiper;

/// <summary>Settings of the eKuiper plugin host; bound from the configuration section <c>EmbeddedPython:EKuiper</c>.</summary>
public sealed class EKuiperPluginHostOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "EmbeddedPython:EKuiper";

    /// <summary>The plugin scripts to run (each calls <c>plugin.start(PluginConfig(...))</c> under <c>__main__</c>).</summary>
    public IList<string> Plugins { get; set; } = new List<string>();

    /// <summary>Arguments after the script, as eKuiper passes them (<c>{"sendTimeout":1000}</c>); become <c>sys.argv[1:]</c>.</summary>
    public IList<string> Arguments { get; set; } = new List<string>();

    /// <summary>How long an idle control or function channel waits before it re-sends <c>handshake</c>, as the
    /// SDK does since v2.4 so that eKuiper's REP side always has a request to answer. Default 5 s.</summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of one function call (eKuiper gives up after its recvTimeout, 5 s by default): a call
    /// that runs longer is interrupted and answered with an error instead of blocking the function for ever.</summary>
    public TimeSpan FunctionCallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of running a plugin script up to its <c>plugin.start</c>. Default 5 minutes.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Dial the channel of every function a plugin declares as soon as it starts, not only when eKuiper
    /// sends its start: after a plugin restart eKuiper replays only the last function's start (spec §3.7).</summary>
    public bool DialDeclaredFunctions { get; set; } = true;

    /// <summary>For a script installed the eKuiper way (<c>&lt;name&gt;/&lt;name&gt;.json</c> beside it), dial eKuiper and send
    /// the handshake before the script runs, so slow imports do not miss eKuiper's initTimeout; commands then wait
    /// for <c>plugin.start</c>. The plugin name is the folder's name, as eKuiper names it.</summary>
    public bool HandshakeBeforeScript { get; set; }

    /// <summary>Stop the application when eKuiper closes the control connection (what the original process does by
    /// dying; right when eKuiper started this host as the plugin's process). Otherwise the host waits for it to come back.</summary>
    public bool StopWhenControlLost { get; set; }
}
