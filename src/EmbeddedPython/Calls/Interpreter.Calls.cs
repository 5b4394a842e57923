using System.Diagnostics;
using EmbeddedPython.Calls;
using EmbeddedPython.CPython;
using EmbeddedPython.Diagnostics;
using EmbeddedPython.Marshalling;

namespace EmbeddedPython.Execution;

// One call on the interpreter thread: resolve its target, call it with converted arguments, and deliver the
// converted result; a coroutine is awaited on the loop, a generator is streamed.
internal sealed unsafe partial class Interpreter
{
    private static readonly string[] ArgumentNames = [.. Enumerable.Range(0, 32).Select(i => $"args[{i}]")];

    private ModuleTable? _modulesOrNull;
    private ModuleTable Modules => _modulesOrNull ??= new ModuleTable(_names);

    private void RunCall(CallState state)
    {
        if (!state.TryStart())
            return; // finished while queued (timed out, cancelled): never runs
        using var activity = Telemetry.Source.HasListeners() ? Telemetry.Source.StartActivity("python.call", ActivityKind.Internal, state.CallerActivity?.Context ?? default)?.SetTag(Telemetry.InterpreterTag, Name) : null;
        state.StartTimestamp = Stopwatch.GetTimestamp();
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        try
        {
            using var target = ResolveTarget(state.Target);
            using (var token = PyObject.Steal(Py.PyContextVar_Set(_runtime.CurrentId, requestId.Handle))) { }
            OpenMemoryAccount(state, requestId.Handle);
            if (state.Request.OutputReceived is not null)
            {
                using var _ = _runtime.Call("watch_output", requestId.Handle);
            }
            PyObject result;
            if (state.Kind == CallKind.Invoke)
            {
                using var args = BuildArguments(state.Args);
                using var kwargs = BuildKeywords(state.Kwargs);
                _running = state;
                result = PyObject.Steal(Py.PyObject_Call(target.Handle, args.Handle, kwargs.Handle));
                _running = null;
                if (result.IsNull)
                {
                    Finish(state, PythonErrors.Take(), requestId.Handle);
                    return;
                }
            }
            else
            {
                result = PyObject.Borrow(target.Handle);
            }
            using (result)
            {
                if (state.Streams)
                    StreamItems(state, result.Handle, requestId.Handle);
                else if (Py.TypeOf(result.Handle) == _runtime.CoroutineType)
                    Await(state, result.Handle, requestId.Handle);
                else
                    FinishCall(state, result.Handle, requestId.Handle);
            }
        }
        catch (Exception e) when (e is PythonException or ArgumentException or PythonConversionException or ObjectDisposedException or InvalidOperationException)
        {
            _running = null;
            Finish(state, e, requestId.Handle);
        }
        finally
        {
            CollectAfterRefusal();
            Telemetry.RequestRan(state.StartTimestamp, Name);
        }
    }

    private PyObject ResolveTarget(CallTarget target)
    {
        var root = target.Handle is { } handle ? handle.Table.Get(handle) : Modules.Import(target.Module!);
        return Modules.Resolve(root, target.Path);
    }

    private static PyObject BuildArguments(IReadOnlyList<object?>? args)
    {
        var count = args?.Count ?? 0;
        var tuple = PyObject.Steal(Py.PyTuple_New(count));
        try
        {
            for (var i = 0; i < count; i++)
            {
                var item = TypedConversion.ToPython(args![i], i < ArgumentNames.Length ? ArgumentNames[i] : $"args[{i}]");
                Py.PyTuple_SetItem(tuple.Handle, i, item.Release()); // steals the item
            }
        }
        catch
        {
            tuple.Dispose();
            throw;
        }
        return tuple;
    }

    private PyObject BuildKeywords(IReadOnlyDictionary<string, object?>? kwargs)
    {
        if (kwargs is null || kwargs.Count == 0)
            return default;
        var dict = PyObject.Steal(Py.PyDict_New());
        try
        {
            foreach (var (name, value) in kwargs)
            {
                using var key = _names.Get(name);
                using var converted = TypedConversion.ToPython(value, name);
                if (Py.PyDict_SetItem(dict.Handle, key.Handle, converted.Handle) != 0)
                    throw PythonErrors.Take($"setting keyword argument '{name}'");
            }
        }
        catch
        {
            dict.Dispose();
            throw;
        }
        return dict;
    }

    /// <summary>An <c>async def</c>'s coroutine runs as a task of the call on the loop; <see cref="CallDone"/> delivers.</summary>
    private void Await(CallState state, nint coroutine, nint requestId)
    {
        _open[state.Id] = state;
        state.MarkOpen();
        state.Task = _runtime.Call("start_async", requestId, coroutine).Release();
        _loopHasWork = true;
        Repair();
    }

    /// <summary>A generator (any iterable) is read here item by item; an async generator is read by a task on the loop.</summary>
    private void StreamItems(CallState state, nint iterable, nint requestId)
    {
        if (Py.TypeOf(iterable) == _runtime.AsyncGeneratorType)
        {
            using var pump = _runtime.Call("stream_async", requestId, iterable);
            Await(state, pump.Handle, requestId);
            return;
        }
        using var iterator = PyObject.Steal(Py.PyObject_GetIter(iterable));
        if (iterator.IsNull)
            throw PythonErrors.Take();
        var reading = true;
        _running = state;
        try
        {
            while (reading)
            {
                using var item = PyObject.Steal(Py.PyIter_Next(iterator.Handle));
                if (item.IsNull)
                    break;
                reading = state.TryWriteItem(item.Handle);
            }
        }
        finally
        {
            _running = null;
            if (reading is false || Py.PyErr_Occurred() == 0)
                Close(iterator.Handle); // the reader left (or a conversion failed): the generator's finally runs
        }
        if (Py.PyErr_Occurred() != 0)
            Finish(state, PythonErrors.Take(), requestId);
        else
            FinishCall(state, Py.None, requestId);
    }

    private static void Close(nint iterator)
    {
        using var close = Py.GetAttr(iterator, "close");
        if (close.IsNull)
        {
            Py.PyErr_Clear(); // not a generator: nothing to close
            return;
        }
        using var args = PyObject.Steal(Py.PyTuple_New(0));
        using var closed = PyObject.Steal(Py.PyObject_CallObject(close.Handle, args.Handle));
        if (closed.IsNull)
            Py.PyErr_Clear(); // an error in the generator's finally: the call's outcome is already decided
    }

    /// <summary>Delivers a call's value (converted here, on the interpreter thread) and forgets the call.</summary>
    private void FinishCall(CallState state, nint result, nint requestId)
    {
        if (state.IsInterrupted)
        {
            Finish(state, state.InterruptionError, requestId);
            return;
        }
        Repair();
        _ = TakeOutput(state, requestId); // a call has no result to carry its output: it is logged (and given to OutputReceived)
        if (state.TryDeliver(result) is { } conversionError)
        {
            if (state.TryFail(conversionError))
                Telemetry.RequestFailed(conversionError, Name);
        }
        Retire(state, requestId);
    }

    /// <summary>The task of an awaited call (or of a streamed async generator) ended.</summary>
    private void CallDone(CallState state)
    {
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        HandleTable.Current = state.Lease.Handles;
        try
        {
            using var error = _runtime.Call("task_outcome", state.Task);
            if (error.Handle != Py.None)
            {
                Finish(state, PythonErrors.Describe(error.Handle), requestId.Handle);
                return;
            }
            using var value = _runtime.Call("task_result", state.Task);
            FinishCall(state, value.Handle, requestId.Handle);
        }
        catch (Exception e) when (e is PythonException or ArgumentException or PythonConversionException or ObjectDisposedException or InvalidOperationException)
        {
            Finish(state, e, requestId.Handle);
        }
        finally
        {
            HandleTable.Current = null;
        }
    }

    /// <summary>An item an async generator's task yielded; false when the stream's reader is gone.</summary>
    public bool StreamItem(long requestId, nint item)
    {
        if (_open.GetValueOrDefault(requestId) is not CallState { Streams: true } state || state.IsFinished)
            return false;
        HandleTable.Current = state.Lease.Handles;
        try
        {
            return state.TryWriteItem(item);
        }
        finally
        {
            HandleTable.Current = null;
        }
    }

    private long _nextAwaited;

    public bool InCoroutine()
    {
        using var inside = _runtime.Call("in_coroutine");
        return inside.Handle == Py.True;
    }

    /// <summary>A future of the loop that the Task completes (on this thread, through <see cref="Post"/>).</summary>
    public nint AwaitTask(Task task, DelegateSignature signature)
    {
        var token = Interlocked.Increment(ref _nextAwaited);
        using var key = PyObject.Steal(Py.PyLong_FromLongLong(token));
        var future = _runtime.Call("await_task", key.Handle);
        task.ContinueWith(done => Post(() => CompleteAwaited(token, done, signature)), TaskScheduler.Default);
        return future.Release();
    }

    private void CompleteAwaited(long token, Task done, DelegateSignature signature)
    {
        using var key = PyObject.Steal(Py.PyLong_FromLongLong(token));
        PyObject value = default;
        PyObject error = default;
        try
        {
            if (done.IsFaulted || done.IsCanceled)
                error = PyObject.Steal(Py.FromString(done.Exception?.InnerException?.Message ?? "the .NET task was cancelled"));
            else
                value = ToPython.Convert(signature.ResultOf(done), "the callback's result");
        }
        catch (Exception e) when (e is ArgumentException or PythonException or PythonConversionException)
        {
            error = PyObject.Steal(Py.FromString(e.Message));
        }
        using (value)
        using (error)
        {
            using var _ = _runtime.Call("task_done", key.Handle, value.IsNull ? Py.None : value.Handle, error.IsNull ? Py.None : error.Handle);
        }
    }
}
