using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Autokitteh.Protocol;

/// <summary>autokitteh's 1 MiB message limit on activity results: larger results are stored in a folder
/// under their SHA-256, and the message carries only a reference the runner reads back on replay.</summary>
internal sealed class LargeObjects(IOptions<AutokittehRunnerOptions> options)
{
    /// <summary>The largest activity message autokitteh accepts.</summary>
    public const int MaxMessageSize = 1 << 20;

    private static readonly byte[] Prefix = "embedded-python-large-object:"u8.ToArray();

    private AutokittehRunnerOptions Runner => options.Value;

    public bool Enabled => Runner.EnableLargeObjects;

    /// <summary>Stores the data and returns the reference that replaces it.</summary>
    public byte[] Store(byte[] data)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        Directory.CreateDirectory(Runner.LargeObjectsPath);
        var path = Path.Combine(Runner.LargeObjectsPath, hash);
        if (!File.Exists(path))
            File.WriteAllBytes(path, data);
        return [.. Prefix, .. Encoding.ASCII.GetBytes(hash)];
    }

    /// <summary>The data a reference stands for, or the data itself when it is no reference.</summary>
    public byte[] Resolve(ByteString data)
    {
        var bytes = data.ToByteArray();
        if (!bytes.AsSpan().StartsWith(Prefix))
            return bytes;
        var hash = Encoding.ASCII.GetString(bytes.AsSpan(Prefix.Length));
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            throw new FormatException($"'{hash}' is not a large object reference");
        return File.ReadAllBytes(Path.Combine(Runner.LargeObjectsPath, hash));
    }
}
