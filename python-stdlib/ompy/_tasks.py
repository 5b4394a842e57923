"""Application tasks inside one interpreter: each task is one Python thread running one script.

The .NET host (EmbeddedPython.Tasks) registers a task and hands its spec to ``start``; from then on the
task lives here: its thread, its TASK_PARAMS, its output, its modules, its sockets and its limits. What
the host must learn (output lines, the end of a task, a child to register, bytes for a websocket peer)
goes back through the callables given to ``install``.
"""

import asyncio
import collections
import ctypes
import importlib.machinery
import os
import sys
import threading
import time
import tokenize
import traceback
import weakref

from embedded_python import MemoryBudget

from . import _imports

# Callables of the .NET host, set by install(): register(parent_pid, script, params) -> spec or {"error"},
# output(pid, stream, line), ended(pid, state, reason), ws_send(connection, data), ws_close(connection).
_host = None

_real_sleep = time.sleep
_local = threading.local()
_tasks = {}  # pid -> Task, while it runs
_tasks_lock = threading.Lock()
_web_sockets = {}  # connection id -> TaskSocket of a websocket peer

# A pending stop is re-raised this often into a task that swallowed it, and a task whose thread has not
# unwound this long after its stop (stuck in one native call) is reported ended and abandoned.
_RESTOP_INTERVAL = 0.5
_ABANDON_AFTER = 2.0
_TICK = 0.05


class TaskStopped(BaseException):
    """Raised into a task's thread when the host stops it (time limit, memory limit, stop request).
    A BaseException, so that ``except Exception`` in user code does not swallow it. Code that swallows it
    anyway meets it a second time, and from then on cannot run another line (see _lock_down)."""

    def __init__(self, *args):
        super().__init__(*args)
        task = getattr(_local, "task", None)
        if task is not None and task.stop_reason is not None and not task.finishing:
            task.stops_seen += 1
            if task.stops_seen >= 2:
                _lock_down(task)


class AmScriptError(ValueError):
    """A script could not be started: it does not exist or is not executable."""


class Task:
    __slots__ = ("pid", "params", "app_path", "script_file", "timeout", "max_memory", "thread", "deadline",
                 "stop_reason", "stopped", "finishing", "lock", "builtins", "globals", "module_prefix",
                 "pending", "observer", "buffers", "last_stop_sent", "stop_time", "budget", "reported", "stops_seen", "loops",
                 "threads")

    def __init__(self, spec):
        self.pid = spec["pid"]
        params = dict(spec.get("globalParams") or {})
        params.update(spec.get("scriptParams") or {})
        # Exactly the keys of the original's TASK_PARAMS, in its order.
        self.params = {
            "pid": self.pid,
            "parentPid": spec.get("parentPid"),
            "applicationPath": spec["applicationPath"],
            "scriptPath": spec["scriptPath"],
            "scriptParams": params,
            "outputPath": spec["outputPath"],
        }
        self.app_path = spec["applicationPath"]
        self.script_file = os.path.join(self.app_path, spec["scriptPath"])
        self.timeout = spec.get("timeoutSeconds")
        self.max_memory = spec.get("maxMemoryBytes")
        # The Python allocations of the task's threads count against it; past it they fail with MemoryError.
        self.budget = None if self.max_memory is None else MemoryBudget(self.max_memory)
        self.deadline = None if self.timeout is None else time.monotonic() + self.timeout
        self.thread = None
        self.stop_reason = None
        self.stopped = threading.Event()
        self.finishing = False
        self.lock = threading.Lock()
        self.module_prefix = _imports.prefix_for(self.pid)
        self.builtins = _imports.task_builtins(self)
        self.globals = None
        self.pending = _Mailbox(self)  # sockets waiting for wait_for_socket_from_web
        self.observer = _Mailbox(self)  # messages posted by the host
        self.buffers = {"stdout": [], "stderr": []}
        self.last_stop_sent = 0.0
        self.stop_time = 0.0
        self.reported = False
        self.stops_seen = 0
        self.loops = set()  # asyncio loops running in the task's threads, woken when it is stopped
        self.threads = weakref.WeakSet()  # threads the task started: stopped with it, measured with it

    # ---- stopping ----

    def stop(self, state, reason):
        """Asks the task to end with ``state``; the first reason wins."""
        with self.lock:
            if self.finishing or self.stop_reason is not None:
                return
            self.stop_reason = (state, reason)
            self.stop_time = time.monotonic()
            self.stopped.set()
            self._raise_stop()

    def _raise_stop(self):
        # Called with self.lock held, so that the runner's `finishing` flag and this raise never cross.
        if self.thread is not None and self.thread.ident is not None and not self.finishing:
            _async_raise(self.thread.ident, TaskStopped)
            for thread in list(self.threads):
                if thread.is_alive() and thread.ident is not None:
                    _async_raise(thread.ident, TaskStopped)
            self.last_stop_sent = time.monotonic()
            # A loop waiting in select() runs no bytecode, so the exception would wait for its next timer.
            for loop in list(self.loops):
                try:
                    loop.call_soon_threadsafe(_nothing)
                except RuntimeError:  # closed meanwhile
                    self.loops.discard(loop)

    def check_stopped(self):
        if self.stop_reason is not None and not self.finishing:
            raise TaskStopped(self.stop_reason[1])

    def wait(self, seconds):
        """Sleeps up to ``seconds`` (None: forever) but wakes at once, raising TaskStopped, when stopped."""
        if self.stopped.wait(seconds):
            self.check_stopped()

    # ---- output ----

    def write(self, stream, text):
        """Buffers text until a full line is there; each line goes to the host as it completes."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self.lock:
            buffer = self.buffers[stream]
            if "\n" not in text:
                buffer.append(text)
                return
            head, _, tail = text.rpartition("\n")
            lines = ("".join(buffer) + head).split("\n")
            buffer.clear()
            if tail:
                buffer.append(tail)
        for line in lines:
            _host["output"](self.pid, stream, line)

    def flush_output(self):
        for stream, buffer in self.buffers.items():
            with self.lock:
                rest = "".join(buffer)
                buffer.clear()
            if rest:
                _host["output"](self.pid, stream, rest)

    # ---- data exchange ----

    def accept(self, timeout):
        return self.pending.get(timeout, "no peer connected")

    def read_observer(self, timeout):
        return self.observer.get(timeout, "no message was posted to this task")


class _Mailbox:
    """A queue a task thread blocks on; its waits end at once when the task is stopped."""

    __slots__ = ("task", "items", "ready")

    def __init__(self, task):
        self.task = task
        self.items = collections.deque()
        self.ready = threading.Condition(threading.Lock())

    def put(self, item):
        with self.ready:
            self.items.append(item)
            self.ready.notify()

    def get(self, timeout, what):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.ready:
            while not self.items:
                self.task.check_stopped()
                left = _TICK if deadline is None else min(_TICK, deadline - time.monotonic())
                if left <= 0:
                    raise TimeoutError(f"{what} within {timeout:g} s")
                # Short waits: a stop or time limit must never wait for a message that won't come.
                self.ready.wait(left)
            return self.items.popleft()


class TaskSocket:
    """One connection to a task: a websocket peer, or another task connected in-process. Messages are
    str (text) or bytes (binary); None marks the end of the connection."""

    def __init__(self, task, connection=None):
        self._task = task
        self._connection = connection  # websocket connection id, or None for in-process
        self._peer = None  # the other end of an in-process pair
        self._inbox = _Mailbox(task) if task is not None else None
        self.closed = False

    def sync_read_message(self, timeout=None):
        """The next message (str or bytes), or None when the peer closed the connection."""
        if self._inbox is None:
            raise RuntimeError("this end of the connection belongs to no task and cannot read")
        if self.closed and not self._inbox.items:
            return None
        message = self._inbox.get(timeout, "no message arrived")
        if message is None:
            self.closed = True
        return message

    def sync_read_text_message(self, timeout=None):
        """The next message as text (binary messages are decoded as UTF-8), or None when closed."""
        message = self.sync_read_message(timeout)
        return message.decode("utf-8") if isinstance(message, (bytes, bytearray)) else message

    def sync_read_binary_message(self, timeout=None):
        """The next message as bytes (text messages are encoded as UTF-8), or None when closed."""
        message = self.sync_read_message(timeout)
        return message.encode("utf-8") if isinstance(message, str) else message

    def sync_send_text_message(self, text):
        self._send(str(text))

    def sync_send_binary_message(self, data):
        self._send(bytes(data))

    def sync_close(self):
        if self.closed:
            return
        self.closed = True
        if self._connection is not None:
            _web_sockets.pop(self._connection, None)
            _host["ws_close"](self._connection)
        elif self._peer is not None and self._peer._inbox is not None:
            self._peer._inbox.put(None)

    def _send(self, message):
        if self.closed:
            raise ConnectionError("the connection is closed")
        if self._connection is not None:
            if not _host["ws_send"](self._connection, message):
                self.closed = True
                raise ConnectionError("the websocket peer has closed the connection")
        elif self._peer.closed:
            raise ConnectionError("the other task has closed the connection")
        elif self._peer._inbox is not None:
            self._peer._inbox.put(message)

    def _deliver(self, message):
        self._inbox.put(message)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sync_close()


def connect_to_task(pid):
    """Connects the calling task to task ``pid`` in-process: the target receives the connection from
    ``wait_for_socket_from_web()`` and this side gets a TaskSocket to send (and read replies) on. The same
    exchange as over ws://127.0.0.1:<port>/<pid>, without a socket."""
    target = _tasks.get(str(pid))
    if target is None:
        raise ConnectionRefusedError(f"no running task has pid {pid}")
    mine = TaskSocket(current_task())
    theirs = TaskSocket(target)
    mine._peer, theirs._peer = theirs, mine
    target.pending.put(theirs)
    return mine


# ---- which task is running here ----

def current_task():
    return getattr(_local, "task", None)


def require_task():
    task = getattr(_local, "task", None)
    if task is None:
        raise RuntimeError("this code is not running inside an application task")
    return task


def run_child(script, params):
    parent = require_task()
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise TypeError(f"run_am_script: params must be a dict (a JSON object), not {type(params).__name__}")
    spec = _host["register"](parent.pid, str(script), params)
    if "error" in spec:
        raise AmScriptError(spec["error"])
    return start(spec)


# ---- the host's side: start, stop, deliver ----

def install(register, output, ended, ws_send, ws_close, websocket_port=None):
    """Called by the .NET host (again when its websocket port is known: only the callables and the port
    change): keeps its callables, routes task output, starts the limit monitor. The websocket port is
    published as the original publishes it, in RESOURCE_SERVER_LOCAL_PORT."""
    global _host
    first = _host is None
    _host = {"register": register, "output": output, "ended": ended, "ws_send": ws_send, "ws_close": ws_close}
    if websocket_port is not None:
        os.environ["RESOURCE_SERVER_LOCAL_PORT"] = str(websocket_port)
    if first:
        time.sleep = _task_sleep
        _wrap_thread_start()
        _track_task_loops()
        _imports.install()
        threading.Thread(target=_monitor, name="ompy task monitor", daemon=True).start()
    _route_output()


def start(spec):
    """Starts a registered task's thread and returns its pid."""
    task = Task(spec)
    _route_output()
    with _tasks_lock:
        _tasks[task.pid] = task
    task.thread = threading.Thread(target=_run, args=(task,), name=f"ompy task {task.pid}", daemon=True)
    try:
        task.thread.start()
    except BaseException:
        with _tasks_lock:
            _tasks.pop(task.pid, None)
        raise
    return task.pid


def stop(pid, state, reason):
    """Stops a running task; False when no task with that pid runs."""
    task = _tasks.get(pid)
    if task is None:
        return False
    task.stop(state, reason)
    return True


def web_connected(pid, connection):
    """A websocket peer connected to task ``pid``; False when no such task runs."""
    task = _tasks.get(pid)
    if task is None:
        return False
    sock = TaskSocket(task, connection)
    _web_sockets[connection] = sock
    task.pending.put(sock)
    return True


def web_message(connection, message):
    """A message (str, bytes, or None when the peer left) from a websocket peer."""
    sock = _web_sockets.get(connection)
    if sock is not None:
        if message is None:
            _web_sockets.pop(connection, None)
        sock._deliver(message)


def post(pid, message):
    """A message from the host to task ``pid`` (read with read_json_from_observer)."""
    task = _tasks.get(pid)
    if task is None:
        return False
    task.observer.put(message)
    return True


# ---- the task's thread ----

def _run(task):
    _local.task = task
    if task.budget is not None:
        task.budget.enter()
    state, reason = "closed", None
    try:
        with tokenize.open(task.script_file) as source_file:
            source = source_file.read()
        code = compile(source, task.script_file, "exec", dont_inherit=True)
        # The globals `python script.py` gives its script.
        task.globals = {"__name__": "__main__", "__file__": task.script_file, "__builtins__": task.builtins,
                        "__package__": None, "__doc__": None, "__spec__": None, "__cached__": None,
                        "__annotations__": {}, "__loader__": importlib.machinery.SourceFileLoader("__main__", task.script_file)}
        exec(code, task.globals)
    except TaskStopped:
        state, reason = task.stop_reason or ("killed", "stopped")
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            # As Python does for sys.exit("message"): the message goes to stderr, the exit code is 1.
            task.write("stderr", exit_.code + "\n")
            state, reason = "failed", f"exit code 1: {exit_.code}"
        elif exit_.code not in (None, 0):
            state, reason = "failed", f"exit code {exit_.code}"
    except BaseException as error:
        MemoryBudget.leave()  # reporting must not be refused by the limit it reports
        if task.stop_reason is not None:
            # A stop that surfaced as another exception (e.g. raised inside a library's except block).
            state, reason = task.stop_reason
        elif isinstance(error, MemoryError) and task.budget is not None and task.budget.exceeded:
            state, reason = "killed", _memory_reason(task)
        else:
            state = "failed"
            reason = "".join(traceback.format_exception_only(type(error), error)).strip()
            # The traceback starts at the script: the runner's own frame is not the user's concern.
            task.write("stderr", "".join(traceback.format_exception(type(error), error, error.__traceback__.tb_next)))
    _finish(task, state, reason)


def _finish(task, state, reason):
    sys.settrace(None)
    with task.lock:
        task.finishing = True
        if task.stop_reason is not None:
            state, reason = task.stop_reason
    # A stop raised just before `finishing` was set is withdrawn, so it can't hit the clean-up below.
    _async_raise(threading.get_ident(), None)
    try:
        task.flush_output()
    finally:
        with _tasks_lock:
            _tasks.pop(task.pid, None)
        _imports.forget(task)
        task.globals = None
        _local.task = None
        if task.budget is not None:
            MemoryBudget.leave()
            task.budget.close()  # threads the task left behind stop counting too
        _report_end(task, state, reason)


def _report_end(task, state, reason):
    with task.lock:
        if task.reported:
            return
        task.reported = True
    _host["ended"](task.pid, state, reason)


# ---- limits ----

def _monitor():
    """Enforces every task's time and memory limits; runs for the life of the process."""
    while True:
        _real_sleep(_TICK)
        now = time.monotonic()
        for task in list(_tasks.values()):
            try:
                _check(task, now)
            except Exception:  # one task's failed check must not end the monitor of all the others
                traceback.print_exc()


def _check(task, now):
    if task.stop_reason is None:
        if task.deadline is not None and now >= task.deadline:
            task.stop("timed out", f"time limit of {task.timeout:g} s reached")
        elif task.budget is not None and task.budget.exceeded:
            # A thread of the task was refused memory (and got MemoryError): the whole task stops.
            task.stop("killed", _memory_reason(task))
        return
    if task.finishing:
        return
    with task.lock:
        if now - task.last_stop_sent >= _RESTOP_INTERVAL:
            task._raise_stop()
    if now - task.stop_time >= _ABANDON_AFTER:
        state, reason = task.stop_reason
        _report_end(task, state, reason + "; its thread is still inside a native call and was abandoned")


def _memory_reason(task):
    return f"memory limit of {task.max_memory / 1048576:g} MB exceeded (an allocation past it was refused)"


def _lock_down(task):
    """The task swallowed its stop: a trace function now raises it again at every line and call of the
    task's own code, so no handler can keep it alive. Only the runner's frames are left to finish."""
    if sys.gettrace() is not None and getattr(sys.gettrace(), "_ompy_lock_down", False):
        return

    def tracer(frame, event, arg):
        if task.finishing or frame.f_code in _RUNNER_CODE:
            return None
        if event in ("call", "line"):
            raise TaskStopped(task.stop_reason[1])
        return tracer

    tracer._ompy_lock_down = True
    sys.settrace(tracer)
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code not in _RUNNER_CODE:
            frame.f_trace = tracer
        frame = frame.f_back


_SetAsyncExc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_SetAsyncExc.argtypes = (ctypes.c_ulong, ctypes.c_void_p)
_SetAsyncExc.restype = ctypes.c_int


def _async_raise(ident, exception_type):
    # The documented C API for raising in another thread; NULL (None) withdraws a pending one. The
    # exception type is a module global, so passing its address without a reference is safe.
    _SetAsyncExc(ident, None if exception_type is None else id(exception_type))


_RUNNER_CODE = {_run.__code__, _finish.__code__, _report_end.__code__, TaskStopped.__init__.__code__, _lock_down.__code__}


# ---- time.sleep, output and threads, made task-aware ----

def _task_sleep(seconds):
    """time.sleep for everyone; inside a task it wakes at once when the task is stopped."""
    task = getattr(_local, "task", None)
    if task is None or task.finishing:
        return _real_sleep(seconds)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    task.wait(seconds)


def _route_output():
    """Makes what a task thread writes to sys.stdout/sys.stderr go to that task's output; writes of any
    other thread go where they went before. The stream object itself stays in place (the core puts its
    own back after every request), only its write is wrapped."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if getattr(stream, "_ompy_routed", False):
            continue
        original = stream.write

        def write(text, _original=original, _name=name):
            task = getattr(_local, "task", None)
            if task is None:
                return _original(text)
            task.write(_name, text)
            return len(text)

        try:
            stream.write = write
            stream._ompy_routed = True
        except (AttributeError, TypeError):
            setattr(sys, name, _RoutedStream(stream, write))


class _RoutedStream:
    """Stand-in for a stream whose write can't be wrapped in place (a C-level TextIOWrapper)."""

    _ompy_routed = True

    def __init__(self, inner, write):
        self._inner = inner
        self.write = write

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _nothing():
    pass


def _track_task_loops():
    """Remembers the asyncio loops a task runs (asyncio.run in a script), so that a stop can wake them."""
    original = asyncio.events._set_running_loop

    def set_running_loop(loop):
        task = getattr(_local, "task", None)
        if task is not None:
            if loop is not None:
                task.loops.add(loop)
            else:
                task.loops.clear()
        original(loop)

    asyncio.events._set_running_loop = set_running_loop


def _wrap_thread_start():
    """Threads a task starts belong to that task (TASK_PARAMS, output, stop)."""
    original_start = threading.Thread.start

    def start(self):
        task = getattr(_local, "task", None)
        if task is not None:
            run = self.run

            def run_in_task():
                _local.task = task
                if task.budget is not None:
                    task.budget.enter()
                try:
                    run()
                except TaskStopped:
                    pass  # stopped with its task: not an error of the thread
                except MemoryError:
                    MemoryBudget.leave()  # what follows must not be refused too
                    if task.budget is None or not task.budget.exceeded:
                        raise
                    # The task's limit, not an error of the thread: the monitor stops the task for it.

            self.run = run_in_task
            task.threads.add(self)
        return original_start(self)

    threading.Thread.start = start
