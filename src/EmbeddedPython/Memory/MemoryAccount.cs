using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace EmbeddedPython.Memory;

/// <summary>The counter the allocator hook updates for one account: native memory, so the hook reaches it
/// without the GC. Counters are recycled, never freed: a thread that still points at a released one sees a
/// changed <see cref="Generation"/> and charges nothing.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MemoryCounter
{
    public long Used;
    public long Limit;
    public long Generation;
    public long Refused;          // allocations refused for this account's own limit
    public long RefusedByProcess; // allocations of this account refused for the process limit
}

/// <summary>
/// Bytes of Python memory charged to one piece of work (a request, a call, an application task) and the
/// limit past which its allocations fail. The allocator hook charges the account the allocating thread has
/// entered (<see cref="AllocatorHook.Charge"/>). Rule for memory that changes hands: an allocation counts
/// against whoever is charged when it is made, a free lowers whoever is charged when it is freed, never
/// below zero. So an account pays at most for what it allocated itself, and freeing memory another
/// account left behind (a cache, a module global) only gives headroom.
/// </summary>
internal sealed unsafe class MemoryAccount
{
    private static readonly Lock s_poolLock = new();
    private static readonly Stack<nint> s_pool = new();
    private static readonly ConcurrentDictionary<long, MemoryAccount> s_byId = new();
    private static long s_lastId;

    private MemoryCounter* _counter;
    private readonly long _generation;

    private MemoryAccount(MemoryCounter* counter, long limit)
    {
        _counter = counter;
        _generation = counter->Generation;
        Limit = limit;
        Id = Interlocked.Increment(ref s_lastId);
    }

    /// <summary>Its number, for Python code that refers to it (<see cref="Find"/>).</summary>
    public long Id { get; }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }

    /// <summary>Bytes charged now (allocated minus freed while charged, never below zero).</summary>
    public long Used => _counter is null ? 0 : Volatile.Read(ref _counter->Used);

    /// <summary>Whether an allocation was refused for going over <see cref="Limit"/>.</summary>
    public bool WentOverLimit => _counter is not null && Volatile.Read(ref _counter->Refused) > 0;

    /// <summary>Whether an allocation charged to it was refused for the process limit.</summary>
    public bool WentOverProcessLimit => _counter is not null && Volatile.Read(ref _counter->RefusedByProcess) > 0;

    internal MemoryCounter* Counter => _counter;

    /// <summary>Opens an account with <paramref name="limit"/> bytes; installs the allocator hook if needed.</summary>
    /// <exception cref="NotSupportedException">This Python's allocator cannot be hooked (see <see cref="AllocatorHook.Install"/>).</exception>
    public static MemoryAccount Open(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        AllocatorHook.Install();
        MemoryCounter* counter;
        lock (s_poolLock)
            counter = s_pool.TryPop(out var recycled) ? (MemoryCounter*)recycled : (MemoryCounter*)NativeMemory.AllocZeroed((nuint)sizeof(MemoryCounter));
        counter->Used = 0;
        counter->Refused = 0;
        counter->RefusedByProcess = 0;
        counter->Limit = limit;
        var account = new MemoryAccount(counter, limit);
        s_byId[account.Id] = account;
        return account;
    }

    /// <summary>The open account numbered <paramref name="id"/>, or null.</summary>
    public static MemoryAccount? Find(long id) => s_byId.GetValueOrDefault(id);

    /// <summary>Closes the account: threads still charging it stop counting, its counter is recycled.</summary>
    public void Release()
    {
        var counter = _counter;
        if (counter is null)
            return;
        _counter = null;
        s_byId.TryRemove(Id, out _);
        Interlocked.Increment(ref counter->Generation);
        lock (s_poolLock)
            s_pool.Push((nint)counter);
    }
}
