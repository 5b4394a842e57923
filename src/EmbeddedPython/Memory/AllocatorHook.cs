using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Memory;

/// <summary>
/// Counts Python's allocations and refuses those past a limit, so the code gets <c>MemoryError</c> at once.
/// It wraps two allocators, installed after <c>Py_Initialize</c> and passing every call on to the ones it
/// found: the <b>raw</b> domain (malloc/calloc/realloc/free; sizes of freed blocks from
/// <c>malloc_usable_size</c>, which also sizes blocks allocated before the hook) and pymalloc's <b>arena</b>
/// allocator (its 256 KiB / 1 MiB arenas, sizes given). That covers the mem and object domains too: pymalloc
/// serves blocks up to 512 bytes from arenas and hands bigger ones to the raw domain (CPython 3.9–3.13,
/// Objects/obmalloc.c). Not counted: memory C extensions take from malloc themselves (numpy's array data),
/// and under <c>PYTHONMALLOC=malloc</c> the mem and object domains (they call malloc directly then).
/// The functions run for every raw allocation of every thread, sometimes without the GIL: they touch only
/// a thread-local owner and atomic counters, never Python.
/// </summary>
internal static unsafe class AllocatorHook
{
    private static readonly Lock s_installLock = new();
    // The allocators found at install time, called without a GC transition: they are libc's and
    // CPython's own C functions, which return quickly and never call back into .NET.
    private static nint s_rawContext, s_arenaContext;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint> s_malloc;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nuint, nuint, nint> s_calloc;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, nuint, nint> s_realloc;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, void> s_free;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint> s_arenaAlloc;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, nuint, void> s_arenaFree;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nuint> s_usableSize;
    private static volatile bool s_installed;

    // The process-wide count, kept only while a process limit is set (0: none).
    private static long s_processLimit;
    private static long s_processUsed;
    private static long s_processRefusals;

    // The account the current thread charges, and the generation of its counter when it was entered.
    [ThreadStatic] private static MemoryCounter* t_owner;
    [ThreadStatic] private static long t_generation;

    public static bool IsInstalled => s_installed;

    /// <summary>The process limit in bytes, or 0 for none.</summary>
    public static long ProcessLimit => Volatile.Read(ref s_processLimit);

    /// <summary>How many allocations the process limit refused so far (to tell whose <c>MemoryError</c> it was).</summary>
    public static long ProcessRefusals => Volatile.Read(ref s_processRefusals);

    /// <summary>Installs the hook (once; later calls do nothing). On the interpreter thread, holding the GIL.</summary>
    /// <exception cref="NotSupportedException">The raw domain does not hand out plain malloc blocks
    /// (<c>PYTHONMALLOC</c> debug hooks or mimalloc, <c>-X dev</c>, a debug build), or libc has no
    /// <c>malloc_usable_size</c>: sizes of freed blocks could not be known.</exception>
    public static void Install()
    {
        if (s_installed)
            return;
        lock (s_installLock)
        {
            if (s_installed)
                return;
            var allocator = Environment.GetEnvironmentVariable("PYTHONMALLOC");
            if (allocator is { Length: > 0 } and not ("pymalloc" or "malloc"))
                throw new NotSupportedException($"Memory limits need Python's default allocator, but PYTHONMALLOC={allocator} is set.");
            if (Environment.GetEnvironmentVariable("PYTHONDEVMODE") is { Length: > 0 })
                throw new NotSupportedException("Memory limits need Python's default allocator, but PYTHONDEVMODE (with its debug allocator) is set.");
            if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "malloc_usable_size", out var usableSize))
                throw new NotSupportedException("Memory limits need glibc's malloc_usable_size, which this platform does not have.");
            s_usableSize = (delegate* unmanaged[SuppressGCTransition]<nint, nuint>)usableSize;

            PyMemAllocatorEx raw;
            Py.PyMem_GetAllocator(Py.MemDomainRaw, &raw);
            s_rawContext = raw.Context;
            s_malloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint>)raw.Malloc;
            s_calloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nuint, nint>)raw.Calloc;
            s_realloc = (delegate* unmanaged[SuppressGCTransition]<nint, nint, nuint, nint>)raw.Realloc;
            s_free = (delegate* unmanaged[SuppressGCTransition]<nint, nint, void>)raw.Free;
            PyObjectArenaAllocator arena;
            Py.PyObject_GetArenaAllocator(&arena);
            s_arenaContext = arena.Context;
            s_arenaAlloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint>)arena.Alloc;
            s_arenaFree = (delegate* unmanaged[SuppressGCTransition]<nint, nint, nuint, void>)arena.Free;

            var hook = new PyMemAllocatorEx { Context = 0, Malloc = &Malloc, Calloc = &Calloc, Realloc = &Realloc, Free = &Free };
            Py.PyMem_SetAllocator(Py.MemDomainRaw, &hook);
            var arenaHook = new PyObjectArenaAllocator { Context = 0, Alloc = &ArenaAlloc, Free = &ArenaFree };
            Py.PyObject_SetArenaAllocator(&arenaHook);
            s_installed = true;
        }
    }

    /// <summary>Caps every Python allocation of the process at <paramref name="limit"/> bytes from now on.</summary>
    public static void LimitProcess(long limit)
    {
        Install();
        Volatile.Write(ref s_processLimit, limit);
    }

    /// <summary>Charges the current thread's allocations to <paramref name="account"/> (null: to no account).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Charge(MemoryAccount? account)
    {
        var counter = account is null ? null : account.Counter;
        t_owner = counter;
        if (counter is not null)
            t_generation = counter->Generation;
    }

    // ---- the hook (C calling convention, any thread, possibly without the GIL) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static MemoryCounter* Owner()
    {
        var owner = t_owner;
        return owner is not null && owner->Generation == t_generation ? owner : null;
    }

    /// <summary>Whether <paramref name="size"/> more bytes fit the owner's limit and the process limit.</summary>
    private static bool Admit(MemoryCounter* owner, nuint size)
    {
        var bytes = size > long.MaxValue / 2 ? long.MaxValue / 2 : (long)size;
        if (owner is not null && Volatile.Read(ref owner->Used) + bytes > owner->Limit)
        {
            Interlocked.Increment(ref owner->Refused);
            return false;
        }
        var processLimit = s_processLimit;
        if (processLimit != 0 && Volatile.Read(ref s_processUsed) + bytes > processLimit)
        {
            Interlocked.Increment(ref s_processRefusals);
            if (owner is not null)
                Interlocked.Increment(ref owner->RefusedByProcess);
            return false;
        }
        return true;
    }

    private static void Add(MemoryCounter* owner, long bytes)
    {
        if (owner is not null)
            Interlocked.Add(ref owner->Used, bytes);
        if (s_processLimit != 0)
            Interlocked.Add(ref s_processUsed, bytes);
    }

    private static void Subtract(MemoryCounter* owner, long bytes)
    {
        if (owner is not null)
            SubtractFloored(ref owner->Used, bytes);
        if (s_processLimit != 0)
            SubtractFloored(ref s_processUsed, bytes);
    }

    /// <summary>A free never drives a count below zero (the block may predate the count, or another's).</summary>
    private static void SubtractFloored(ref long counter, long bytes)
    {
        long seen, next;
        do
        {
            seen = Volatile.Read(ref counter);
            next = seen > bytes ? seen - bytes : 0;
        }
        while (Interlocked.CompareExchange(ref counter, next, seen) != seen);
    }

    private static bool Counting(out MemoryCounter* owner)
    {
        owner = Owner();
        return owner is not null || s_processLimit != 0;
    }

    [UnmanagedCallersOnly]
    private static nint Malloc(nint context, nuint size)
    {
        if (!Counting(out var owner))
            return s_malloc(s_rawContext, size);
        return Admit(owner, size) ? Counted(owner, s_malloc(s_rawContext, size)) : 0;
    }

    [UnmanagedCallersOnly]
    private static nint Calloc(nint context, nuint count, nuint size)
    {
        if (!Counting(out var owner))
            return s_calloc(s_rawContext, count, size);
        var total = size != 0 && count > nuint.MaxValue / size ? nuint.MaxValue : count * size;
        return Admit(owner, total) ? Counted(owner, s_calloc(s_rawContext, count, size)) : 0;
    }

    private static nint Counted(MemoryCounter* owner, nint block)
    {
        if (block != 0)
            Add(owner, (long)s_usableSize(block));
        return block;
    }

    [UnmanagedCallersOnly]
    private static nint Realloc(nint context, nint block, nuint size)
    {
        if (!Counting(out var owner))
            return s_realloc(s_rawContext, block, size);
        var before = block == 0 ? 0 : (long)s_usableSize(block);
        if (size > (nuint)before && !Admit(owner, size - (nuint)before))
            return 0;
        var moved = s_realloc(s_rawContext, block, size);
        if (moved == 0)
            return 0;
        var after = (long)s_usableSize(moved);
        if (after > before)
            Add(owner, after - before);
        else if (after < before)
            Subtract(owner, before - after);
        return moved;
    }

    [UnmanagedCallersOnly]
    private static void Free(nint context, nint block)
    {
        if (block != 0 && Counting(out var owner))
            Subtract(owner, (long)s_usableSize(block));
        s_free(s_rawContext, block);
    }

    [UnmanagedCallersOnly]
    private static nint ArenaAlloc(nint context, nuint size)
    {
        if (Counting(out var owner))
        {
            if (!Admit(owner, size))
                return 0;
            var arena = s_arenaAlloc(s_arenaContext, size);
            if (arena != 0)
                Add(owner, (long)size);
            return arena;
        }
        return s_arenaAlloc(s_arenaContext, size);
    }

    [UnmanagedCallersOnly]
    private static void ArenaFree(nint context, nint arena, nuint size)
    {
        if (Counting(out var owner))
            Subtract(owner, (long)size);
        s_arenaFree(s_arenaContext, arena, size);
    }
}
