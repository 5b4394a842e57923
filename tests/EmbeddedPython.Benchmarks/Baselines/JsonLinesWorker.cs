using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The client of the persistent worker baseline (<c>worker.py</c>): one Python process, requests written
/// as JSON lines to its stdin, responses read from its stdout by one reader loop that completes the caller
/// waiting for that id. Any number of callers may have requests in flight, as with the executor.
/// </summary>
internal sealed class JsonLinesWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly Task _reader;
    private long _nextId;

    private sealed class Pending
    {
        public TaskCompletionSource<Dictionary<string, object?>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ChannelWriter<object?>? Messages { get; init; }
    }

    private JsonLinesWorker(Process process)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _reader = Task.Factory.StartNew(ReadResponsesAsync, TaskCreationOptions.LongRunning).Unwrap();
    }

    /// <summary>Starts the worker process (the Python start-up is paid here, once).</summary>
    public static JsonLinesWorker Start()
    {
        var start = new ProcessStartInfo(PythonCommand.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Baselines", "worker.py"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker could not be started.");
        return new JsonLinesWorker(process);
    }

    /// <summary>Runs <paramref name="code"/> with <paramref name="presets"/> as globals and returns the globals named in <paramref name="returns"/>.</summary>
    public Task<Dictionary<string, object?>> RequestAsync(string code, IReadOnlyDictionary<string, object?>? presets, IReadOnlyList<string>? returns)
        => SendAsync(code, presets, returns, messages: null);

    /// <summary>Runs streaming <paramref name="code"/> (it calls <c>emit(value)</c>) and counts the messages it sent.</summary>
    public async Task<int> StreamAsync(string code)
    {
        var messages = Channel.CreateUnbounded<object?>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var done = SendAsync(code, null, [], messages.Writer);
        var count = 0;
        await foreach (var _ in messages.Reader.ReadAllAsync().ConfigureAwait(false))
            count++;
        await done.ConfigureAwait(false);
        return count;
    }

    private async Task<Dictionary<string, object?>> SendAsync(string code, IReadOnlyDictionary<string, object?>? presets, IReadOnlyList<string>? returns, ChannelWriter<object?>? messages)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new Pending { Messages = messages };
        _pending[id] = pending;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", id);
                writer.WriteString("code", code);
                if (presets is not null)
                {
                    writer.WritePropertyName("presets");
                    JsonValues.Write(writer, presets);
                }
                if (returns is not null)
                {
                    writer.WritePropertyName("returns");
                    JsonValues.Write(writer, returns);
                }
                if (messages is not null)
                    writer.WriteBoolean("stream", true);
                writer.WriteEndObject();
            }
            _buffer.Write("\n"u8);
            await _input.WriteAsync(_buffer.WrittenMemory).ConfigureAwait(false);
            await _input.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
        return await pending.Done.Task.ConfigureAwait(false);
    }

    private async Task ReadResponsesAsync()
    {
        var output = _process.StandardOutput;
        Exception? failure = null;
        try
        {
            while (await output.ReadLineAsync().ConfigureAwait(false) is { } line)
                Dispatch(line);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or KeyNotFoundException)
        {
            failure = e;
        }
        failure ??= new IOException("The worker process ended.");
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Messages?.TryComplete(failure);
                pending.Done.TrySetException(failure);
            }
        }
    }

    private void Dispatch(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var id = root.GetProperty("id").GetInt64();
        if (root.TryGetProperty("message", out var message))
        {
            _pending[id].Messages!.TryWrite(JsonValues.Read(message));
            return;
        }
        if (!_pending.TryRemove(id, out var pending))
            throw new FormatException($"The worker answered request {id}, which is not waiting.");
        pending.Messages?.TryComplete();
        if (root.TryGetProperty("error", out var error))
            pending.Done.SetException(new InvalidOperationException("The worker's request failed: " + error.GetString()));
        else
            pending.Done.SetResult(JsonValues.ReadObject(root.GetProperty("values")));
    }

    /// <summary>Closes the worker's stdin and waits for it to exit (its shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        _input.Close();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _reader.ConfigureAwait(false);
        _process.Dispose();
        _writeLock.Dispose();
    }
}
