using System.Collections.Concurrent;
using EmbeddedPython.CPython;
using EmbeddedPython.Policy;

namespace EmbeddedPython.Execution;

// Which request's policy applies to the code that raised an audit event: the request running synchronously,
// else (inside the asyncio loop, or on another thread) the request named by the context variable
// _runtime.current_id, which its tasks (and asyncio.to_thread) copy. A request's policy stays registered
// while tasks it started are alive, so they cannot outlive it to escape the policy.
internal sealed unsafe partial class Interpreter
{
    private readonly ConcurrentDictionary<long, PythonPolicy> _policies = new();
    private readonly List<long> _lingeringPolicies = [];

    /// <summary>The policy of the code raising an audit event now, or null (called holding the GIL).</summary>
    public PythonPolicy? CurrentPolicy()
    {
        if (Environment.CurrentManagedThreadId == _thread.ManagedThreadId)
        {
            if (_running is { } running)
                return running.Policy;
            if (Volatile.Read(ref _inLoop) == 0)
                return null; // the host's own Python between requests
        }
        nint value;
        if (Py.PyContextVar_Get(_runtime.CurrentId, 0, &value) != 0)
        {
            Py.PyErr_Clear();
            return null;
        }
        using var id = PyObject.Steal(value);
        if (id.IsNull || Py.TypeOf(id.Handle) != Py.LongType || !Marshalling.FromPython.TryConvert(id.Handle, out var requestId) || requestId is not long key)
            return null;
        return _policies.GetValueOrDefault(key);
    }

    private void EnforcePolicy(RequestState state)
    {
        if (state.Policy is null)
            return;
        state.PolicyEnforced = true;
        _policies[state.Id] = state.Policy;
        AuditHook.PolicyStarted();
    }

    /// <summary>On the interpreter thread, when the request ends: its policy goes once no task of it is left.</summary>
    private void ReleasePolicy(RequestState state, nint requestId)
    {
        if (!state.PolicyEnforced)
            return;
        state.PolicyEnforced = false;
        if (HasTasks(requestId))
            _lingeringPolicies.Add(state.Id);
        else
            ForgetPolicy(state.Id);
        for (var i = _lingeringPolicies.Count - 1; i >= 0; i--)
        {
            var lingering = _lingeringPolicies[i];
            using var key = PyObject.Steal(Py.PyLong_FromLongLong(lingering));
            if (lingering != state.Id && !HasTasks(key.Handle))
            {
                _lingeringPolicies.RemoveAt(i);
                ForgetPolicy(lingering);
            }
        }
    }

    private bool HasTasks(nint requestId)
    {
        var found = Py.PyDict_GetItemWithError(_runtime.Attribute("_tasks_by_request"), requestId) != 0;
        Py.PyErr_Clear();
        return found;
    }

    private void ForgetPolicy(long requestId)
    {
        if (_policies.TryRemove(requestId, out _))
            AuditHook.PolicyEnded();
    }
}
