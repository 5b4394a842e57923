using System.Text;

namespace EmbeddedPython.EKuiper.Protocol;

/// <summary>The ipc URLs of eKuiper's channels (spec §2); all live in /tmp, as eKuiper expects.</summary>
internal static class IpcUrls
{
    // sun_path is 108 bytes with its terminating NUL.
    private const int MaxPathBytes = 107;

    public static string Control(string pluginName) => Checked($"/tmp/plugin_{pluginName}.ipc");

    public static string Function(string symbol) => Checked($"/tmp/func_{symbol}.ipc");

    public static string Data(Meta meta) => Checked($"/tmp/{meta.RuleId}_{meta.OpId}_{meta.InstanceId}.ipc");

    public static string Ack(Meta meta) => Checked($"/tmp/{meta.RuleId}_{meta.OpId}_{meta.InstanceId}_ack.ipc");

    private static string Checked(string path)
    {
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
            throw new ArgumentException($"ipc path {path} is {bytes} bytes, over the {MaxPathBytes}-byte limit of UNIX socket paths; use shorter rule or operator ids");
        return "ipc://" + path;
    }
}
