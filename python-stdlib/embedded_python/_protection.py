"""Host protection: user code cannot end the host process through Python, nor take away the signal that
interrupts it at its time limit (README, "Host protection"). Installed once by ``_runtime.install``; the
.NET side re-arms the interruption signal through ``rearm`` and asks ``check_signal_event`` about the audit
events of ``os.kill``, ``os.killpg`` and ``signal.pthread_kill``.

These guards replace module attributes, so they stop what Python code does through the ``os``, ``signal``,
``sys`` and ``faulthandler`` modules; native code (ctypes, C extensions) is not stopped by them."""

import _signal
try:
    import faulthandler
except ImportError:  # single-phase init before 3.13: not in a sub-interpreter, for user code neither
    faulthandler = None
import os
import posix
import signal
import sys
import threading

_OPTION = "PythonExecutorOptions.AllowProcessExit"
# The longest switch interval code may set: longer, a Python thread holding the GIL would keep the
# interpreter thread from running the interruption handler for that long.
MAX_SWITCH_INTERVAL = 0.05

_getpid = os.getpid
_host_pid = _getpid()
_host_signal = None
_handler = None
_allow_exit = False
touched = False  # a guarded call ran that may have changed the signal's state: re-arm after the request

_signal_signal = _signal.signal
_getsignal = _signal.getsignal
_pthread_sigmask = _signal.pthread_sigmask
_siginterrupt = _signal.siginterrupt
real_settrace = sys.settrace  # for the host's own tracing of interrupted code
_setswitchinterval = sys.setswitchinterval
_interrupted = None  # set by install: whether the request running in this context is being interrupted


def _in_host():
    return _getpid() == _host_pid  # False in a child made by os.fork: it may exit as it likes


def _refuse(call):
    raise PermissionError(f"{call} would end or stop the host process; set {_OPTION} = true to allow it")


def _signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        if signal.SIGRTMIN < signum < signal.SIGRTMAX:
            return f"SIGRTMAX-{signal.SIGRTMAX - signum}"
        return f"signal {signum}"


_host_signals = frozenset()  # the interruption signal and those whose handler the host (the .NET runtime) owns


def _is_host_signal(signum):
    try:
        return int(signum) in _host_signals
    except (TypeError, ValueError):
        return False  # not a signal number: the real function reports it


def _refuse_host_signal(call, signum):
    signum = int(signum)
    if signum == _host_signal:
        why = "is the signal EmbeddedPython interrupts code with when its time limit runs out or it is cancelled"
    else:
        why = "belongs to the host process (its handler was installed by the host's runtime, not by Python)"
    raise PermissionError(f"{call} refused: {_signal_name(signum)} ({signum}) {why}")


def _handled(signum):
    """Whether user code installed a Python handler for the signal, so that sending it cannot end the process."""
    try:
        return callable(_getsignal(int(signum)))
    except (TypeError, ValueError, OSError):
        return False


# ---- the interruption signal ----

def _guarded_signal(signalnum, handler):
    if _is_host_signal(signalnum):
        _refuse_host_signal(f"signal.signal({_signal_name(int(signalnum))}, ...)", signalnum)
    return _signal_signal(signalnum, handler)


def _guarded_pthread_sigmask(how, mask):
    global touched
    if how != _signal.SIG_UNBLOCK:
        mask = [s for s in mask if not _is_host_signal(s)]  # the others are blocked as asked; the host's never
        touched = True
    return _pthread_sigmask(how, mask)


def _guarded_siginterrupt(signalnum, flag):
    if _is_host_signal(signalnum):
        _refuse_host_signal(f"signal.siginterrupt({_signal_name(int(signalnum))}, {flag!r})", signalnum)
    return _siginterrupt(signalnum, flag)


def rearm():
    """Puts back the interruption handler and unblocks the signal, whatever code did to them."""
    global touched
    touched = False
    if _host_signal is None:
        return  # a sub-interpreter: no signal of the host's
    if _getsignal(_host_signal) is not _handler:
        _signal_signal(_host_signal, _handler)
    if _host_signal in _pthread_sigmask(_signal.SIG_BLOCK, []):
        _pthread_sigmask(_signal.SIG_UNBLOCK, [_host_signal])


def _guarded_settrace(function):
    # While a request is being interrupted its frames are traced so that catching the exception does not
    # stop the interruption; code must not switch that off.
    if not _interrupted():
        real_settrace(function)


def _guarded_settraceallthreads(function, _real=getattr(sys, "_settraceallthreads", None)):
    if not _interrupted():
        _real(function)


def _guarded_setswitchinterval(interval):
    _setswitchinterval(min(interval, MAX_SWITCH_INTERVAL) if interval > 0 else interval)


# ---- ending or stopping the process ----

def _guard_exit(name, real):
    def guarded(*args):
        if _in_host() and not _allow_exit:
            _refuse(f"{name}({', '.join(map(repr, args))})")
        return real(*args)
    guarded.__name__ = guarded.__qualname__ = name.rpartition(".")[2]
    guarded.__doc__ = real.__doc__
    return guarded


def _guarded_raise_signal(signalnum, _real=_signal.raise_signal):
    if _in_host() and not _allow_exit and not _handled(signalnum):
        _refuse(f"signal.raise_signal({_signal_name(signalnum)})")
    return _real(signalnum)


_TIMER_SIGNALS = {signal.ITIMER_REAL: signal.SIGALRM, signal.ITIMER_VIRTUAL: signal.SIGVTALRM, signal.ITIMER_PROF: signal.SIGPROF}


def _guarded_alarm(seconds, _real=_signal.alarm):
    if seconds and _in_host() and not _allow_exit and not _handled(signal.SIGALRM):
        _refuse(f"signal.alarm({seconds!r}) without a SIGALRM handler")
    return _real(seconds)


def _guarded_setitimer(which, seconds, interval=0.0, _real=_signal.setitimer):
    timer_signal = _TIMER_SIGNALS.get(which)
    if seconds and timer_signal is not None and _in_host() and not _allow_exit and not _handled(timer_signal):
        _refuse(f"signal.setitimer({which!r}, {seconds!r}) without a {timer_signal.name} handler")
    return _real(which, seconds, interval)


def _host_threads():
    try:
        return {int(t) for t in os.listdir(f"/proc/{_host_pid}/task")}
    except OSError:
        return {threading.main_thread().native_id}


def check_signal_event(event, args):
    """Audit events os.kill (pid, sig), os.killpg (pgid, sig), signal.pthread_kill (thread, sig): refuses a
    signal aimed at the host that could end or stop it (no Python handler is installed for it)."""
    target, signum = args[0], args[1]
    if not _in_host() or signum == 0 or _handled(signum):
        return
    group = os.getpgid(0)
    if event == "os.kill":
        aimed = target in (_host_pid, 0, -1, -group) or target in _host_threads()
        call = f"os.kill({target}, {_signal_name(signum)})"
    elif event == "os.killpg":
        aimed = target in (0, group)
        call = f"os.killpg({target}, {_signal_name(signum)})"
    else:
        aimed = True  # pthread_kill reaches only threads of this process
        call = f"signal.pthread_kill({target}, {_signal_name(signum)})"
    if aimed:
        _refuse(call)


# ---- start-up ----

def _replace(module, name, guarded):
    if hasattr(module, name):
        setattr(module, name, guarded)


def install(host_signal, handler, allow_exit, interrupted):
    """Installs the interruption handler and the guards. ``interrupted()`` tells whether the request in the
    current context is being interrupted."""
    global _host_signal, _host_signals, _handler, _allow_exit, _interrupted
    _host_signal, _handler, _allow_exit, _interrupted = host_signal, handler, allow_exit, interrupted
    # Python did not install handlers (Py_InitializeEx(0)): a handler it reports as None is the host's, and a
    # signal ignored from the start is ignored on purpose (SIGPIPE, whose default would end the process).
    owned = {s for s in _signal.valid_signals() if _getsignal(s) is None or _getsignal(s) == _signal.SIG_IGN}
    _host_signals = frozenset(owned if host_signal is None else owned | {host_signal})
    if host_signal is not None:  # None in a sub-interpreter, where signal handlers cannot be set
        _signal_signal(host_signal, handler)
    # signal.signal and signal.pthread_sigmask look _signal's functions up at each call.
    _signal.signal = _guarded_signal
    _signal.pthread_sigmask = _guarded_pthread_sigmask
    for module in (_signal, signal):
        _replace(module, "siginterrupt", _guarded_siginterrupt)
        _replace(module, "raise_signal", _guarded_raise_signal)
        _replace(module, "alarm", _guarded_alarm)
        _replace(module, "setitimer", _guarded_setitimer)
    sys.settrace = _guarded_settrace
    if hasattr(sys, "_settraceallthreads"):
        sys._settraceallthreads = _guarded_settraceallthreads
    sys.setswitchinterval = _guarded_setswitchinterval
    if not allow_exit:
        guarded_exit, guarded_abort = _guard_exit("os._exit", posix._exit), _guard_exit("os.abort", posix.abort)
        for module in (os, posix):
            module._exit, module.abort = guarded_exit, guarded_abort
        for name in ("_sigsegv", "_sigabrt", "_sigfpe", "_read_null", "_stack_overflow", "_fatal_error", "_fatal_error_c_thread"):
            if hasattr(faulthandler, name):
                setattr(faulthandler, name, _guard_exit(f"faulthandler.{name}", getattr(faulthandler, name)))
