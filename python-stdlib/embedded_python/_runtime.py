"""Internals of the host: output routing, the asyncio loop the interpreter thread owns, request
bookkeeping for streaming, and interruption. The .NET side calls the functions at the bottom; user code
should only use the package's public names.

Start-up imports only what every request needs: asyncio (about 25 ms), traceback, datetime, decimal and
uuid are imported when something first needs them (the loop when anything imports asyncio, see
``_LoopOnImport``)."""

import builtins
import contextvars
import enum
import gc
import io
import os
import signal
import site
import sys
import threading
import time
import types
import weakref
from _ast import PyCF_ALLOW_TOP_LEVEL_AWAIT as _TOP_LEVEL_AWAIT

from . import _native, _protection, compat

# The id of the request whose code is running; tasks copy it when they are created, so output and
# streamed messages of a request's tasks are attributed to it.
current_id = contextvars.ContextVar("embedded_python_request", default=None)



# Numbers shared with the host's C# (Execution/RuntimeProtocol.cs, enums of the same names); a test of the
# core checks that both sides agree.
class SendKind(enum.IntEnum):
    """What ``_native.send(request_id, kind, value)`` reports."""
    EMIT = 0  # value: one streamed message
    COMPLETE = 1  # value: the last message, or None
    FAIL = 2  # value: [message text, the error as given]
    ENDED_UNCOMPLETED = 3  # value: [message text, describe() of the first exception a task raised, or None]


class InterruptReason(enum.IntEnum):
    """What ``_native.interrupted(request_id)`` answers."""
    NONE = 0
    TIME_LIMIT = 1
    CANCELLED = 2
    SHUTDOWN = 3


EMIT, COMPLETE, FAIL, ENDED_UNCOMPLETED = SendKind.EMIT, SendKind.COMPLETE, SendKind.FAIL, SendKind.ENDED_UNCOMPLETED
_INTERRUPT_REASONS = {
    InterruptReason.TIME_LIMIT: "the request's time limit ran out",
    InterruptReason.CANCELLED: "the request was cancelled",
    InterruptReason.SHUTDOWN: "the executor is shutting down",
}


class Interrupted(BaseException):
    """Raised into code whose request timed out or was cancelled. A BaseException, so that
    ``except Exception`` does not swallow it."""


class RequestHandle:
    """A request that code can report to, from the request itself, its tasks or its threads."""

    __slots__ = ("id", "__weakref__")

    def __init__(self, request_id):
        self.id = request_id
        _hold(request_id)
        weakref.finalize(self, _release, request_id)

    def emit(self, value):
        send(self.id, EMIT, value)

    def complete(self, value=None):
        send(self.id, COMPLETE, value)

    def fail(self, error):
        send(self.id, FAIL, error)

    def __repr__(self):
        return f"<embedded_python request {self.id}>"


def _current_id():
    request_id = current_id.get()
    if request_id is None:
        raise RuntimeError("no EmbeddedPython request is running in this context")
    return request_id


def current_request():
    """The handle of the request whose code (or task) is running."""
    return RequestHandle(_current_id())


def send(request_id, kind, value):
    """emit/complete/fail for a request: output printed so far goes first, and a request that ends is forgotten."""
    if kind == EMIT:
        _native.send(request_id, EMIT, value)
        return
    _flush_live(request_id)
    _native.send(request_id, kind, [compat.failure_message(value), value] if kind == FAIL else value)
    _finished(request_id)


def send_current(kind, value):
    """emit/complete/fail for the request in the current context, without building a handle."""
    send(_current_id(), kind, value)


# ---- streaming bookkeeping: a stream ends in error when its code, tasks and handles are all gone ----

class _Stream:
    __slots__ = ("main_done", "tasks", "handles", "error")

    def __init__(self):
        self.main_done = False
        self.tasks = 0
        self.handles = 0
        self.error = None  # the first exception a task of the request raised


_streams = {}


def _hold(request_id):
    stream = _streams.get(request_id)
    if stream is not None:
        stream.handles += 1


def _release(request_id):
    stream = _streams.get(request_id)
    if stream is not None:
        stream.handles -= 1
        _check_stream(request_id, stream)


def _finished(request_id):
    _streams.pop(request_id, None)


def _check_stream(request_id, stream):
    if stream.main_done and stream.tasks <= 0 and stream.handles <= 0:
        _streams.pop(request_id, None)
        if stream.error is None:
            ended = [compat.UNCOMPLETED_MESSAGE, None]
        else:
            cause = describe(stream.error)
            ended = [f"A task of the request raised {cause[0]}: {cause[1]}, and nothing completed the request.", list(cause)]
        _native.send(request_id, ENDED_UNCOMPLETED, ended)


def _task_factory(loop, coro, **kwargs):
    task = asyncio.Task(coro, loop=loop, **kwargs)
    context = kwargs.get("context")
    request_id = context.get(current_id) if context is not None else current_id.get()
    if request_id is not None:
        _tasks_by_request.setdefault(request_id, set()).add(task)
        task.add_done_callback(lambda t, rid=request_id: _untrack(rid, t))
        stream = _streams.get(request_id)
        if stream is not None:
            stream.tasks += 1
            task.add_done_callback(lambda t, rid=request_id: _task_ended(rid, t))
    return task


_tasks_by_request = {}


def _untrack(request_id, task):
    tasks = _tasks_by_request.get(request_id)
    if tasks is not None:
        tasks.discard(task)
        if not tasks:
            del _tasks_by_request[request_id]


def _task_ended(request_id, task):
    stream = _streams.get(request_id)
    if stream is not None:
        stream.tasks -= 1
        if stream.error is None and not task.cancelled() and task.exception() is not None:
            stream.error = task.exception()  # retrieved here, so asyncio does not log it as lost
        _check_stream(request_id, stream)


# ---- output: print() of a request goes to that request's buffer ----

_outputs = {}
_live = set()  # requests whose caller receives output as it is printed, line by line
_pending = {}  # the unterminated last line of such a request


def watch_output(request_id):
    _live.add(request_id)


def _send_lines(request_id, text):
    text = _pending.pop(request_id, "") + text
    cut = text.rfind("\n") + 1
    if cut:
        _native.output(request_id, text[:cut])
    if cut < len(text):
        _pending[request_id] = text[cut:]


_unattributed = []  # the unterminated last line of output nobody requested


def _log_lines(text):
    _unattributed.append(text)
    if "\n" in text:
        whole = "".join(_unattributed)
        cut = whole.rfind("\n") + 1
        _unattributed[:] = [whole[cut:]] if cut < len(whole) else []
        _native.log(whole[:cut])


def _flush_live(request_id):
    rest = _pending.pop(request_id, None)
    if rest:
        _native.output(request_id, rest)


class _Router(io.TextIOBase):
    """sys.stdout / sys.stderr: appends to the buffer of the request in the current context."""

    def __init__(self, name):
        self.name = name

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        request_id = current_id.get()
        if request_id is None or threading.get_ident() != _interpreter_thread:
            # Threads don't inherit contexts: their output is logged, not attributed, line by line as it comes.
            _log_lines(text)
            return len(text)
        buffer = _outputs.get(request_id)
        if buffer is None:
            _outputs[request_id] = buffer = []
        buffer.append(text)
        if request_id in _live:
            _send_lines(request_id, text)
        return len(text)

    def flush(self):
        pass

    @property
    def encoding(self):
        return "utf-8"


stdout = _Router("stdout")
stderr = _Router("stderr")


def take_output(request_id):
    """The text request_id printed; output of requests that already ended (or of threads) is logged."""
    _flush_live(request_id)
    mine = _outputs.pop(request_id, None)
    for other in list(_outputs):
        if not _native.is_open(other):
            _native.log("".join(_outputs.pop(other)))
    return "".join(mine) if mine else ""


# ---- the event loop the interpreter thread owns ----

asyncio = loop = None
_loop_is_current = False  # set_event_loop(loop) was called on the interpreter thread
_wake_read = _wake_write = -1


def _make_loop(module):
    """The interpreter thread's loop, made once asyncio (``module``) is imported. It stops when .NET has work
    for the thread (a byte on the wake pipe) or when nothing is left to do, and tells a parked .NET thread
    when another thread schedules a callback."""
    global asyncio, loop
    if loop is not None:
        return
    asyncio = module

    class _HostLoop(asyncio.SelectorEventLoop):
        def _write_to_self(self):
            super()._write_to_self()
            _native.wake()

        def _run_once(self):
            super()._run_once()
            if not has_work():
                self.stop()

        # Work scheduled while the loop is not running (sync code calling create_task, call_soon, call_later)
        # tells .NET that the loop needs a turn before the thread parks. Callbacks of a request with a memory
        # limit (task steps, future callbacks, timers) run charged to it.
        def call_soon(self, callback, *args, context=None):
            if not self.is_running():
                _native.loop_touched()
            if limited_requests:
                callback, args = _charged(callback, args, context)
            return super().call_soon(callback, *args, context=context)

        def call_at(self, when, callback, *args, context=None):
            if not self.is_running():
                _native.loop_touched()
            if limited_requests:
                callback, args = _charged(callback, args, context)
            return super().call_at(when, callback, *args, context=context)

    loop = _HostLoop()
    loop.set_task_factory(_task_factory)
    loop.add_reader(_wake_read, _on_wake)
    if threading.get_ident() == _interpreter_thread:
        _make_current()
    else:
        _native.wake()  # imported by another thread: run_loop makes it the interpreter thread's loop


def _make_current():
    global _loop_is_current
    asyncio.set_event_loop(loop)
    _loop_is_current = True


class _LoopOnImport:
    """On sys.meta_path until asyncio is imported, by the host or by user code: right after asyncio's own
    code has run, the host's loop is made, so that sync code calling asyncio.get_event_loop() gets it. A
    find_spec without an import (a check that asyncio exists) leaves it in place."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "asyncio":
            return None
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if finder is not cls and hasattr(finder, "find_spec") else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = cls(spec.loader)
                return spec
        return None

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__spec__.loader = module.__loader__ = self._loader
        if type(self) in sys.meta_path:
            sys.meta_path.remove(type(self))
        self._loader.exec_module(module)
        _make_loop(module)


# ---- memory: callbacks of requests with a memory limit are charged to them ----

# Ids of open requests with a memory limit, added and removed by the host; empty, scheduling pays nothing.
limited_requests = set()


def collect_garbage():
    gc.collect()


def _charged(callback, args, context):
    request_id = context.get(current_id) if context is not None else current_id.get()
    if request_id not in limited_requests:
        return callback, args
    return _run_charged, (request_id, callback, *args)


def _run_charged(request_id, callback, *args):
    _native.charge(request_id)
    try:
        callback(*args)
    finally:
        _native.charge(0)


def has_work():
    return loop is not None and bool(loop._ready or loop._scheduled or asyncio.all_tasks(loop))


def _on_wake():
    try:
        os.read(_wake_read, 4096)
    except BlockingIOError:
        pass
    loop.stop()


def run_loop():
    """Runs the loop until .NET wakes it or it has nothing left to do; True while work remains."""
    current_id.set(None)
    if loop is None:
        return False
    if not _loop_is_current:
        _make_current()
    loop.run_forever()
    return has_work()


def start_async(request_id, coroutine):
    if loop is None:
        _make_loop(__import__("asyncio"))  # the first coroutine before anything imported asyncio
    task = loop.create_task(coroutine)
    task.add_done_callback(lambda t: _native.async_done(request_id))
    return task


def task_result(task):
    return task.result()


# ---- .NET Tasks awaited by coroutines: a future .NET completes on the interpreter thread ----

_awaited = {}


def in_coroutine():
    """True when a task runs on the interpreter's loop here: a .NET Task is then handed over as an awaitable."""
    return loop is not None and asyncio._get_running_loop() is loop and asyncio.current_task(loop) is not None


def await_task(token):
    future = loop.create_future()
    _awaited[token] = future
    return future


def task_done(token, value, error):
    future = _awaited.pop(token, None)
    if future is None or future.done():
        return  # the awaiting code was cancelled meanwhile
    if error is None:
        future.set_result(value)
    else:
        future.set_exception(RuntimeError(error))


async def stream_async(request_id, agen):
    """Feeds the items of a streamed call's async generator to .NET; closes it when the reader leaves or the
    task is cancelled, so its ``finally`` runs."""
    try:
        async for item in agen:
            if not _native.stream_item(request_id, item):
                break
    finally:
        await agen.aclose()


coroutine_type = types.CoroutineType
async_generator_type = types.AsyncGeneratorType


def task_outcome(task):
    """None when the task ended normally, else its exception (cancellation included)."""
    if task.cancelled():
        return asyncio.CancelledError()
    return task.exception()


def cancel_tasks(request_id):
    _protection.real_settrace(None)  # an interruption may have left its tracer on
    _live.discard(request_id)
    _pending.pop(request_id, None)
    for task in list(_tasks_by_request.get(request_id, ())):  # each leaves the set when it is done
        task.cancel()
    _streams.pop(request_id, None)


def stream_started(request_id):
    _streams[request_id] = _Stream()


def main_done(request_id):
    stream = _streams.get(request_id)
    if stream is not None:
        stream.main_done = True
        _check_stream(request_id, stream)


def forget(request_id):
    # Tasks it left behind stay tracked until they end (_untrack), so that disposing its executor cancels them.
    _live.discard(request_id)
    _pending.pop(request_id, None)
    _streams.pop(request_id, None)


def end_requests(first_id, last_id):
    """Cancels the tasks of requests first_id..last_id (the id block of a disposed executor) and forgets them."""
    for request_id in [r for r in _tasks_by_request if first_id <= r <= last_id]:
        cancel_tasks(request_id)
    for table in (_streams, _outputs, _pending):
        for request_id in [r for r in table if first_id <= r <= last_id]:
            del table[request_id]
    _live.difference_update([r for r in _live if first_id <= r <= last_id])


# ---- interruption ----

def _on_interrupt_signal(signum, frame):
    request_id = current_id.get()
    if request_id is None:
        return
    reason = _native.interrupted(request_id)
    if not reason:
        return
    if loop is not None and asyncio._get_running_loop() is not None and asyncio.current_task() is None:
        return  # inside the loop's own machinery: the request's tasks are cancelled instead
    # Code that catches the exception and carries on (``except BaseException: pass`` in a loop) meets it
    # again: the tracer raises at the next line, which lies inside the handler that caught it, and an
    # exception raised there leaves the try statement.
    _trace_stack(frame)
    raise Interrupted(_INTERRUPT_REASONS.get(reason, "interrupted"))


def _interrupt_tracer(frame, event, arg):
    if frame.f_code.co_filename in _HOST_FILES:
        return None  # never inside the host's own functions (this handler included)
    request_id = current_id.get()
    reason = _native.interrupted(request_id) if request_id is not None else 0
    if not reason:
        _protection.real_settrace(None)
        return None
    if event == "line":
        raise Interrupted(_INTERRUPT_REASONS.get(reason, "interrupted"))
    return _interrupt_tracer


_HOST_FILES = frozenset((__file__, compat.__file__))


def _host_sleep(seconds):
    """time.sleep in a sub-interpreter: the host waits, and an interruption of the request ends the wait
    (there, no signal can cut a real sleep short)."""
    _native.sleep(float(seconds), current_id.get() or 0)


_host_sleep.__name__ = _host_sleep.__qualname__ = "sleep"
_in_subinterpreter = False

# What CPython says of a single-phase init extension module in a sub-interpreter (Python/import.c).
_SINGLE_PHASE_REFUSAL = "does not support loading in subinterpreters"


def _interrupting():
    request_id = current_id.get()
    return request_id is not None and _native.interrupted(request_id) != 0


def _trace_stack(frame):
    _protection.real_settrace(_interrupt_tracer)
    while frame is not None:
        frame.f_trace = _interrupt_tracer
        frame.f_trace_lines = True
        frame = frame.f_back


# ---- compiling and describing ----

_CO_COROUTINE = 0x80


def compile_code(source, filename):
    code = compile(source, filename, "exec", flags=_TOP_LEVEL_AWAIT, dont_inherit=True)
    return code, bool(code.co_flags & _CO_COROUTINE)


def describe(exc):
    """(type name, message, traceback text, line, offset) of an exception."""
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else f"{kind.__module__}.{kind.__qualname__}"
    try:
        message = str(exc)
    except BaseException:
        message = f"<unprintable {name}>"
    try:
        import traceback
        text = "".join(traceback.format_exception(kind, exc, exc.__traceback__))
    except BaseException:
        text = None
    line = offset = None
    if isinstance(exc, SyntaxError):
        line, offset = exc.lineno, exc.offset
        message = exc.msg or message
    elif _in_subinterpreter and isinstance(exc, ImportError) and _SINGLE_PHASE_REFUSAL in message:
        message += ('; this request ran on a sub-interpreter (PythonExecutorOptions.Interpreters > 1): '
                    'send code that needs this module with Affinity = "main" to run it on the main interpreter')
    return name, message, text, line, offset


# ---- values without a C API of their own (DESIGN §4): taken apart here, rebuilt in .NET ----

def datetime_parts(value):
    offset = value.utcoffset()
    return (value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond,
            None if offset is None else int(offset.total_seconds() * 1_000_000))


def make_datetime(year, month, day, hour, minute, second, microsecond, offset_microseconds):
    import datetime
    tz = None if offset_microseconds is None else datetime.timezone(datetime.timedelta(microseconds=offset_microseconds))
    return datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=tz)


def make_uuid(data):
    import uuid
    return uuid.UUID(bytes=data)


_LAZY_TYPES = {"datetime_type": ("datetime", "datetime"), "date_type": ("datetime", "date"),
               "decimal_type": ("decimal", "Decimal"), "uuid_type": ("uuid", "UUID")}


def __getattr__(name):
    """The types above, imported when the host first looks them up."""
    if name not in _LAZY_TYPES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY_TYPES[name]
    value = globals()[name] = getattr(__import__(module), attribute)
    return value


# ---- user mistakes the host repairs after each request ----

_builtins_dict = builtins.__dict__
_saved_builtins = dict(_builtins_dict)
_real_chdir = os.chdir
_original_cwd = os.getcwd()
cwd_changed = False


def _chdir(path):
    global cwd_changed
    cwd_changed = True
    _real_chdir(path)


def repair():
    """Puts back what user code may have broken for the requests after it."""
    global cwd_changed
    _builtins_dict.update(_saved_builtins)  # first: the rest of this function looks builtins up
    if sys.stdout is not stdout:
        sys.stdout = stdout
    if sys.stderr is not stderr:
        sys.stderr = stderr
    if os.chdir is not _chdir:
        os.chdir = _chdir
    changed, cwd_changed = cwd_changed, False
    if changed:
        _real_chdir(_original_cwd)
    return changed


# ---- start-up ----

_interpreter_thread = None


def import_before_sub_interpreters():
    """Imports, in the main interpreter, the C extension modules the host converts through (and asyncio's) before
    a sub-interpreter starts. Start-up leaves them to first use, but CPython 3.12 keeps single-phase extension
    modules in one table for every interpreter, and the main interpreter importing one while a sub-interpreter with
    its own GIL imports crashed the process (the core tests on 3.12, run together)."""
    import asyncio, datetime, decimal, uuid  # noqa: F401


def install(interrupt_signal, allow_process_exit):
    """Called once by the host on the interpreter thread, right after Py_InitializeEx (or after it made a
    sub-interpreter: interrupt_signal None, no signal reaches one). Returns the pipe .NET writes to when it
    needs the thread back from the loop."""
    global _wake_read, _wake_write, _interpreter_thread, _in_subinterpreter
    # Its ident, not threading.current_thread(): that would make a _DummyThread, whose 3.13 clean-up fails
    # noisily when a sub-interpreter ends.
    _interpreter_thread = threading.get_ident()
    _in_subinterpreter = interrupt_signal is None
    if _in_subinterpreter:
        time.sleep = _host_sleep
    sys.stdout, sys.stderr = stdout, stderr
    if not getattr(sys, "argv", None):
        sys.argv = [""]
    os.chdir = _chdir
    _protection.install(interrupt_signal, _on_interrupt_signal, allow_process_exit, _interrupting)
    _wake_read, _wake_write = os.pipe()
    os.set_blocking(_wake_read, False)
    if "asyncio" in sys.modules:
        _make_loop(sys.modules["asyncio"])
    else:
        sys.meta_path.insert(0, _LoopOnImport)
    return _wake_write


def extend_sys_path(search_paths, site_dirs):
    """Puts search paths not there yet right after python-stdlib (sys.path[0]), in order, and adds site
    folders with site.addsitedir so that their .pth files count."""
    position = 1
    for path in search_paths:
        if path not in sys.path:
            sys.path.insert(position, path)
            position += 1
    for folder in site_dirs:
        site.addsitedir(folder)


def shutdown():
    """Cancels what is left on the loop before Python is finalised."""
    if loop is None or loop.is_closed():
        return
    for task in asyncio.all_tasks(loop):
        task.cancel()
    try:
        loop.run_until_complete(asyncio.sleep(0))
    except BaseException:
        pass
    loop.remove_reader(_wake_read)
    loop.close()
