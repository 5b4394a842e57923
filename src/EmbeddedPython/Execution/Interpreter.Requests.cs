using System.Diagnostics;
using EmbeddedPython.CPython;
using EmbeddedPython.Diagnostics;
using EmbeddedPython.Marshalling;
using EmbeddedPython.Memory;
using EmbeddedPython.Protection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Execution;

// One request on the interpreter thread: resolve its code, build its globals, run it, and deliver its
// values, its messages and its output.
internal sealed unsafe partial class Interpreter
{
    private readonly NameCache _names = new();
    private bool _memoryRefused; // a limit refused an allocation of a request that just ended

    private void RunRequest(RequestState state)
    {
        if (!state.TryStart())
            return; // finished while queued (timed out, cancelled): never runs
        EnforcePolicy(state);
        using var activity = Telemetry.Source.HasListeners() ? Telemetry.Source.StartActivity("python.request", ActivityKind.Internal, state.CallerActivity?.Context ?? default)?.SetTag(Telemetry.InterpreterTag, Name) : null;
        state.StartTimestamp = Stopwatch.GetTimestamp();
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        PyObject globals = default;
        CompiledCode? uncached = null;
        try
        {
            var code = ResolveCode(state);
            if (state.Request.Name is null && state.Script is null)
                uncached = code;
            globals = BuildGlobals(state, requestId.Handle);
            OpenMemoryAccount(state, requestId.Handle);
            using (var token = PyObject.Steal(Py.PyContextVar_Set(_runtime.CurrentId, requestId.Handle))) { }
            if (state.HandlesReturn)
            {
                _open[state.Id] = state;
                using var _ = _runtime.Call("stream_started", requestId.Handle);
            }
            if (state.Request.OutputReceived is not null)
            {
                using var _ = _runtime.Call("watch_output", requestId.Handle);
            }

            _running = state;
            var result = PyObject.Steal(Py.PyEval_EvalCode(code.Code, globals.Handle, globals.Handle));
            _running = null;

            if (result.IsNull)
            {
                using var error = Py.TakeException();
                if (IsSuccessfulExit(error.Handle) && !state.HandlesReturn && !code.IsAsync)
                    Finish(state, CollectValues(state, globals.Handle), requestId.Handle);
                else
                    Finish(state, PythonErrors.Describe(error.Handle), requestId.Handle);
            }
            else if (code.IsAsync)
            {
                // Top-level await: the code object returned a coroutine; it runs as a task on the loop.
                using var coroutine = result;
                state.Globals = globals.Release();
                _open[state.Id] = state;
                state.MarkOpen();
                state.Task = _runtime.Call("start_async", requestId.Handle, coroutine.Handle).Release();
                _loopHasWork = true;
                Repair();
            }
            else
            {
                result.Dispose();
                if (state.HandlesReturn)
                {
                    state.MarkOpen();
                    using var _ = _runtime.Call("main_done", requestId.Handle);
                    Repair();
                }
                else
                {
                    Finish(state, CollectValues(state, globals.Handle), requestId.Handle);
                }
            }
        }
        catch (Exception e) when (e is PythonException or ArgumentException)
        {
            _running = null;
            Finish(state, e, requestId.Handle);
        }
        finally
        {
            globals.Dispose();
            uncached?.Dispose();
            CollectAfterRefusal();
            Telemetry.RequestRan(state.StartTimestamp, Name);
        }
    }

    /// <summary>Charges the work item's allocations (its code's, then its tasks') to an account of its limit.</summary>
    private void OpenMemoryAccount(RequestState state, nint requestId)
    {
        state.ProcessRefusalsAtStart = AllocatorHook.ProcessRefusals;
        if ((state.MemoryLimit ?? _options.DefaultMemoryLimit) is not { } limit)
            return;
        state.Memory = MemoryAccount.Open(limit);
        if (Py.PySet_Add(_runtime.LimitedRequests, requestId) != 0)
            throw PythonErrors.Take("charging the request's loop callbacks");
    }

    /// <summary><c>sys.exit()</c>, <c>sys.exit(0)</c> or <c>sys.exit(None)</c>: a script that ends early, successfully.</summary>
    private static bool IsSuccessfulExit(nint exception)
    {
        if (exception == 0 || Py.PyErr_GivenExceptionMatches(exception, Py.PyExc_SystemExit) == 0)
            return false;
        using var code = Py.GetAttr(exception, "code");
        if (code.IsNull)
        {
            Py.PyErr_Clear();
            return false;
        }
        return code.Handle == Py.None || (Py.TypeOf(code.Handle) == Py.LongType && Marshalling.FromPython.TryConvert(code.Handle, out var value) && value is 0L);
    }

    private CompiledCode ResolveCode(RequestState state)
    {
        var request = state.Request;
        var cache = state.Lease.Cache; // per executor: a name means what that executor's requests sent under it
        if (state.Script is { } script)
        {
            var key = "\0script:" + request.Script;
            if (cache.Get(key) is { } cachedScript && cachedScript.Source == script.Version)
                return cachedScript;
            var compiledScript = Compile(script.Source, script.FileName, version: script.Version);
            cache.Put(key, compiledScript);
            return compiledScript;
        }
        if (request.Name is { } name)
        {
            var cached = cache.Get(name);
            if (request.Code is null)
                return cached ?? throw new ArgumentException($"No code is cached under the name '{name}'; send its Code first.", nameof(PythonRequest.Name));
            if (cached is not null && string.Equals(cached.Source, request.Code, StringComparison.Ordinal))
                return cached;
            var compiled = Compile(request.Code, name, version: request.Code);
            cache.Put(name, compiled);
            return compiled;
        }
        // Unnamed code is compiled for this request only (RunRequest releases it; frames keep their own reference).
        return Compile(request.Code!, "<request>", version: request.Code!);
    }

    private CompiledCode Compile(string source, string fileName, string version)
    {
        using var sourceText = PyObject.Steal(Py.FromString(source));
        using var file = PyObject.Steal(Py.FromString(fileName));
        using var compiled = _runtime.Call("compile_code", sourceText.Handle, file.Handle);
        var code = PyObject.Borrow(Py.PyTuple_GetItem(compiled.Handle, 0));
        var isAsync = Py.PyTuple_GetItem(compiled.Handle, 1) == Py.True;
        return new CompiledCode(code.Release(), isAsync, version);
    }

    private PyObject BuildGlobals(RequestState state, nint requestId)
    {
        var globals = PyObject.Steal(Py.PyDict_Copy(_runtime.GlobalsTemplate));
        try
        {
            FillGlobals(state, globals.Handle, requestId);
        }
        catch
        {
            globals.Dispose();
            throw;
        }
        return globals;
    }

    private void FillGlobals(RequestState state, nint globals, nint requestId)
    {
        foreach (var name in _runtime.RequestIdGlobals)
            Py.PyDict_SetItem(globals, name, requestId);
        if (state.Script is { } script)
        {
            using var file = PyObject.Steal(Py.FromString(script.FileName));
            Py.PyDict_SetItem(globals, _runtime.FileKey, file.Handle);
        }
        switch (state.Request.PresetValues)
        {
            case Dictionary<string, object?> presets: // the common case, enumerated without boxing
                foreach (var (name, value) in presets)
                    SetPreset(globals, name, value);
                break;
            case { } presets:
                foreach (var (name, value) in presets)
                    SetPreset(globals, name, value);
                break;
        }
    }

    private void SetPreset(nint globals, string name, object? value)
    {
        using var key = _names.Get(name);
        using var converted = ToPython.Convert(value, name); // errors read "Could not convert x[2] to Python: …"
        if (Py.PyDict_SetItem(globals, key.Handle, converted.Handle) != 0)
            throw PythonErrors.Take($"setting preset value '{name}'");
    }

    /// <summary>The globals that come back: all but dunders, injected names (<c>embedded_python.compat</c>) and values that don't convert,
    /// or only the names of <see cref="PythonRequest.LimitReturnTo"/>.</summary>
    private PythonResult CollectValues(RequestState state, nint globals)
    {
        if (state.HandlesReturn)
            return new PythonResult(EmptyValues, state.Messages!.ToArray(), "");
        ResultValues.Builder values;
        if (state.Request.LimitReturnTo is { } names)
        {
            values = new ResultValues.Builder(names.Count);
            for (var i = 0; i < names.Count; i++) // indexed: no boxed enumerator per request
            {
                var name = names[i];
                using var key = _names.Get(name);
                var item = Py.PyDict_GetItemWithError(globals, key.Handle);
                if (item != 0 && TryReturn(state, item, out var value))
                    values.Add(name, value);
            }
            Py.PyErr_Clear();
        }
        else
        {
            values = new ResultValues.Builder(2); // grows as globals are found
            nint position = 0, key, item;
            while (Py.PyDict_Next(globals, &position, &key, &item) != 0)
            {
                var name = Py.AsString(key);
                if (name is null || IsDunder(name) || Py.PySet_Contains(_runtime.HiddenGlobals, key) == 1)
                    continue;
                if (TryReturn(state, item, out var value))
                    values.Add(name, value);
            }
        }
        return new PythonResult(values.Build(), state.Messages?.ToArray() ?? [], "");
    }

    /// <summary>A returned global's value: converted, or a handle when the request asked for handles.</summary>
    private static bool TryReturn(RequestState state, nint item, out object? value)
    {
        if (FromPython.TryConvert(item, out value))
            return true;
        if (!state.Request.ReturnHandles || state.Lease.Handles is not { } handles)
            return false;
        value = handles.Add(item);
        return true;
    }

    private static readonly IReadOnlyDictionary<string, object?> EmptyValues = new Dictionary<string, object?>();

    private static bool IsDunder(string name) => name.Length > 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal);

    /// <summary>Delivers a result or an error (with the request's output) and forgets the request's Python state.</summary>
    private void Finish(RequestState state, object outcome, nint requestId)
    {
        Repair(); // before the caller can observe the result (and, say, the working folder)
        var output = TakeOutput(state, requestId);
        if (outcome is PythonResult result)
            state.TryFinish(output.Length == 0 ? result : new PythonResult(result.Values, result.Messages, output));
        else
        {
            var error = state.IsInterrupted ? state.InterruptionError
                : outcome is PythonException raised ? MemoryLimitErrors.Explain(raised, state.Memory, state.ProcessRefusalsAtStart)
                : (Exception)outcome;
            if (state.TryFail(error))
                Telemetry.RequestFailed(error, Name); // counted by whoever delivers the outcome, once
            else
                LogLateError(_logger, state.Id, error.Message);
        }
        Retire(state, requestId);
    }

    /// <summary>Releases what Python holds for a request that ended.</summary>
    private void Retire(RequestState state, nint requestId)
    {
        _open.TryRemove(state.Id, out _);
        var hasPythonState = state.HandlesReturn || state.Task != 0 || state.Request.OutputReceived is not null;
        if (state.Globals != 0) { Py.Py_DecRef(state.Globals); state.Globals = 0; }
        if (state.Task != 0) { Py.Py_DecRef(state.Task); state.Task = 0; }
        if (state.Memory is { } account)
        {
            _memoryRefused |= account.WentOverLimit || account.WentOverProcessLimit;
            state.Memory = null;
            account.Release();
            if (Py.PySet_Discard(_runtime.LimitedRequests, requestId) < 0)
                Py.PyErr_Clear();
        }
        if (state.IsInterrupted)
        {
            using var _ = _runtime.Call("cancel_tasks", requestId); // a timed-out request's tasks stop too
        }
        else if (hasPythonState)
        {
            using var _ = _runtime.Call("forget", requestId);
        }
        ReleasePolicy(state, requestId);
    }

    /// <summary>After a limit refused memory, the garbage the failed code left in reference cycles (frames,
    /// tracebacks) is collected now, so its memory goes back at once rather than at the next collection.</summary>
    private void CollectAfterRefusal()
    {
        if (!_memoryRefused)
            return;
        _memoryRefused = false;
        using var _ = _runtime.Call("collect_garbage");
    }

    /// <summary>The text the work item printed (logged too); a last line without its newline still reaches
    /// its live-output callback, which is why the item is <see cref="_finishing"/> meanwhile.</summary>
    private string TakeOutput(RequestState state, nint requestId)
    {
        if (Py.PyDict_Size(_runtime.Outputs) == 0)
            return "";
        _finishing = state;
        try
        {
            using var text = _runtime.Call("take_output", requestId);
            var output = Py.AsString(text.Handle) ?? "";
            if (output.Length > 0)
                LogRequestOutput(state.Lease.OutputLogger, output.TrimEnd('\n'));
            return output;
        }
        finally
        {
            _finishing = null;
        }
    }

    /// <summary>Puts back what user code may have broken (sys.stdout, builtins, the working folder).</summary>
    private void Repair()
    {
        if (Py.PyDict_GetItemWithError(_runtime.SysDict, _runtime.StdoutKey) == _runtime.Stdout
            && Py.PyDict_GetItemWithError(_runtime.SysDict, _runtime.StderrKey) == _runtime.Stderr
            && Py.PyDict_Size(_runtime.BuiltinsDict) == _runtime.BuiltinsSize
            && Py.PyDict_GetItemWithError(_runtime.ModuleDict, _runtime.CwdChangedKey) != Py.True
            && !_protection.Touched)
            return;
        Py.PyErr_Clear();
        using var changed = _runtime.Call("repair"); // restores the working folder Python saw at start-up
        _protection.Rearm(); // the interruption signal, for the requests after this one
    }

    // ---- called back from Python ----

    public void Send(long requestId, SendKind kind, object? value)
    {
        var state = _open.GetValueOrDefault(requestId);
        if (state is null || state.IsFinished)
            throw new InvalidOperationException(_running?.Id == requestId
                ? "this request does not handle its own return: set CodeHandlesReturn (or use StreamAsync) to send results"
                : $"request {requestId} has already ended");
        switch (kind)
        {
            case SendKind.Emit:
                Deliver(state, new PythonMessage(value, false));
                break;
            case SendKind.Complete:
                Deliver(state, new PythonMessage(value, true));
                state.TryFinish(new PythonResult(EmptyValues, state.Messages?.ToArray() ?? [], ""));
                PostRetire(state);
                break;
            case SendKind.Fail:
                var (message, error) = MessageAndValue(value);
                state.TryFail(new PythonFailedException(message, error));
                PostRetire(state);
                break;
            case SendKind.EndedUncompleted:
                var (text, described) = MessageAndValue(value);
                var cause = described is List<object?> { Count: 5 } parts
                    ? new PythonException((string)parts[0]!, (string)parts[1]!, parts[2] as string)
                    : null;
                state.TryFail(new PythonFailedException(text, null, cause));
                PostRetire(state);
                break;
            default:
                throw new ArgumentException($"unknown send kind {(int)kind}");
        }
    }

    /// <summary>A failure's [message text, value] as <c>embedded_python._runtime</c> sends it.</summary>
    private static (string Message, object? Value) MessageAndValue(object? value) =>
        value is List<object?> { Count: 2 } pair && pair[0] is string message
            ? (message, pair[1])
            : throw new ArgumentException("a failure is sent as [message, value]");

    /// <summary>Hands a message to the stream's reader; a full stream makes the sender wait, GIL released.</summary>
    private void Deliver(RequestState state, PythonMessage message)
    {
        if (state.Messages is { } messages)
        {
            if (!message.IsFinal || message.Value is not null)
                messages.Add(message.Value);
            return;
        }
        var writer = state.Stream!.Writer;
        if (writer.TryWrite(message))
            return;
        var threadState = Py.PyEval_SaveThread();
        try
        {
            // Ends when the reader takes it, or with ChannelClosedException when the request finishes meanwhile.
            writer.WriteAsync(message).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // The request ended while the sender waited; the caller already has its outcome.
        }
        finally
        {
            Py.PyEval_RestoreThread(threadState);
        }
    }

    private void PostRetire(RequestState state) => Post(() =>
    {
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        Retire(state, requestId.Handle);
        CollectAfterRefusal();
    });

    public void AsyncDone(long requestId)
    {
        if (!_open.TryGetValue(requestId, out var state))
            return;
        if (state is Calls.CallState call)
        {
            CallDone(call);
            return;
        }
        using var id = PyObject.Steal(Py.PyLong_FromLongLong(requestId));
        using var error = _runtime.Call("task_outcome", state.Task);
        if (error.Handle != Py.None)
            Finish(state, PythonErrors.Describe(error.Handle), id.Handle);
        else if (state.HandlesReturn)
        {
            using var _ = _runtime.Call("main_done", id.Handle);
        }
        else
            Finish(state, CollectValues(state, state.Globals), id.Handle);
        CollectAfterRefusal();
    }

    [LoggerMessage(10, LogLevel.Information, "{Output}")]
    private static partial void LogRequestOutput(ILogger logger, string output);

    [LoggerMessage(11, LogLevel.Debug, "Request {RequestId} raised after it had ended: {Message}")]
    private static partial void LogLateError(ILogger logger, long requestId, string message);
}
