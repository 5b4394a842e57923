using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.ObjectStore;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// Bodies above the chunk threshold travel through a JetStream object store bucket named after the lattice
/// (spec §8): a request's argument is object <c>&lt;id&gt;</c>, a response is object <c>&lt;id&gt;-r</c>. The
/// bucket is opened on first use, so a server without JetStream only fails the invocations that need it.
/// </summary>
internal sealed class ChunkStore(INatsConnection connection, string bucket)
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private INatsObjStore? _store;

    public async Task<byte[]> TakeAsync(string name, Action<string, string> onDeleteFailure, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await store.GetBytesAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException e)
        {
            onDeleteFailure(name, e.Message);
        }
        return bytes;
    }

    public async Task PutAsync(string name, byte[] bytes, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await store.PutAsync(name, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<INatsObjStore> OpenAsync(CancellationToken cancellationToken)
    {
        if (_store is { } store)
            return store;
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _store ??= await new NatsObjContext(new NatsJSContext(connection))
                .CreateObjectStoreAsync(new NatsObjConfig(bucket), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _opening.Release();
        }
    }
}
