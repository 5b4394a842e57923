"""Durable sessions: calls that leave the user's code run as autokitteh activities.

At import, every call inside a function or class body of the user's modules is rewritten to go through
`dispatch` (module-level code is left alone). At run time `dispatch` runs the call directly when it is
deterministic or local, and otherwise announces it to the worker (`Activity`), runs it when the worker
says `Execute`, reports the outcome (`ExecuteReply`), and returns what the worker replays
(`ActivityReply`) — the same outcome, or one recorded in an earlier run.
"""

import ast
import asyncio
import builtins
import importlib.abc
import importlib.util
import inspect
import os
import pickle
import sys
import threading
import time

from . import values
from .errors import picklable

DISPATCH, ADISPATCH = "_ak_dispatch_", "_ak_adispatch_"
_BUILTIN_NAMES = frozenset(dir(builtins))

# Modules whose functions give the same result every time (datetime's clock readers excepted).
_DETERMINISTIC_MODULES = frozenset({
    "re", "math", "cmath", "base64", "binascii", "collections", "itertools", "functools", "operator",
    "string", "textwrap", "datetime", "json", "copy", "decimal", "fractions", "enum", "dataclasses",
    "typing", "hashlib", "hmac", "urllib.parse", "html", "difflib", "bisect", "heapq", "asyncio",
    "_operator", "_functools", "_collections", "_json", "_datetime", "_sre", "_hashlib", "_asyncio",
    "posixpath", "ntpath", "unicodedata", "struct", "zlib", "shlex", "fnmatch", "statistics",
})
_NOT_DETERMINISTIC = frozenset({"now", "utcnow", "today", "time", "sleep"})
_JSON_ALLOWED = frozenset({"dumps", "loads"})
_BUILTIN_TYPES = (str, bytes, bytearray, list, tuple, dict, set, frozenset, int, float, complex, bool,
                  type(None), range, slice, memoryview)

_local = threading.local()
_state = {"loading": False, "code_dir": None, "pending": None, "send_activity": None, "send_execute_reply": None}
_lock = threading.Lock()


class ReplayAbandoned(BaseException):
    """Unwinds a handler whose session already ended (the worker failed an activity)."""


# ---- rewriting ----

class _Rewriter(ast.NodeTransformer):
    def __init__(self):
        self._depth = 0

    def _body(self, node):
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _body

    def visit_Await(self, node):
        if self._depth and isinstance(node.value, ast.Call) and self._rewritable(node.value):
            call = node.value
            self.generic_visit(call)
            node.value = ast.Call(ast.Name(ADISPATCH, ast.Load()), [call.func, *call.args], call.keywords)
            return node
        return self.generic_visit(node)

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._depth and self._rewritable(node):
            return ast.Call(ast.Name(DISPATCH, ast.Load()), [node.func, *node.args], node.keywords)
        return node

    @staticmethod
    def _rewritable(call):
        func = call.func
        return not (isinstance(func, ast.Name) and (func.id in _BUILTIN_NAMES or func.id in (DISPATCH, ADISPATCH)))


def rewrite_source(source, filename="<string>"):
    """The source with its calls routed through the dispatcher (for inspection and tests)."""
    tree = ast.fix_missing_locations(_Rewriter().visit(ast.parse(source, filename)))
    return ast.unparse(tree)


class _Loader(importlib.abc.Loader):
    def __init__(self, path):
        self.path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        with open(self.path, encoding="utf-8") as source_file:
            tree = ast.parse(source_file.read(), self.path)
        code = compile(ast.fix_missing_locations(_Rewriter().visit(tree)), self.path, "exec")
        module.__dict__[DISPATCH] = dispatch
        module.__dict__[ADISPATCH] = adispatch
        exec(code, module.__dict__)


class _Finder(importlib.abc.MetaPathFinder):
    """Serves <code_dir>/<name>.py with its calls rewritten."""

    def __init__(self, code_dir):
        self.code_dir = code_dir

    def find_spec(self, name, path=None, target=None):
        file = os.path.join(self.code_dir, *name.split(".")) + ".py"
        if os.path.isfile(file):
            return importlib.util.spec_from_file_location(name, file, loader=_Loader(file))
        return None


def install(code_dir):
    """Routes imports of the user's modules through the rewriter (durable sessions only)."""
    uninstall()
    sys.meta_path.insert(0, _Finder(code_dir))
    _state["code_dir"] = os.path.realpath(code_dir) + os.sep


def connect(send_activity, send_execute_reply):
    """The session's callables that announce an activity and report an executed one."""
    _state["send_activity"] = send_activity
    _state["send_execute_reply"] = send_execute_reply


def uninstall():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]
    _state["code_dir"] = None


class loading:
    """While the entry module loads, calls run directly."""

    def __enter__(self):
        _state["loading"] = True

    def __exit__(self, *exc):
        _state["loading"] = False


# ---- deciding ----

def should_run_as_activity(fn):
    if _state["loading"] or getattr(_local, "in_activity", False) or getattr(_local, "inhibited", 0):
        return False
    marker = getattr(fn, "__ak_activity__", None)
    if marker is not None:
        return bool(marker)
    if getattr(fn, "__ak_inhibit_activities__", False):
        return False
    from autokitteh import _bindings
    if id(fn) in _bindings.no_activity:
        return False
    module = _module_name(fn)
    if module.split(".")[0] in ("autokitteh", "embedded_python", "embedded_python_autokitteh"):
        return False
    if is_deterministic(fn):
        return False
    return not _defined_in_code_dir(module)


def is_deterministic(fn):
    if isinstance(fn, type) and issubclass(fn, BaseException):
        return True
    owner = getattr(fn, "__self__", None)
    if owner is not None and not inspect.ismodule(owner):
        if isinstance(owner, _BUILTIN_TYPES):
            return True
        if type(owner).__module__ in ("re", "_sre"):
            return True
    name = getattr(fn, "__name__", "")
    module = _module_name(fn)
    if module in ("json", "_json"):
        return name in _JSON_ALLOWED
    if module in ("datetime", "_datetime", "time"):
        return name not in _NOT_DETERMINISTIC
    return module in _DETERMINISTIC_MODULES or module.split(".")[0] in _DETERMINISTIC_MODULES


def _module_name(fn):
    module = getattr(fn, "__module__", None)
    if module is None and getattr(fn, "__self__", None) is not None:
        owner = fn.__self__
        module = getattr(owner if isinstance(owner, type) else type(owner), "__module__", None)
    if module is None:
        module = type(fn).__module__
    return module or ""


def _defined_in_code_dir(module):
    code_dir = _state["code_dir"]
    path = getattr(sys.modules.get(module), "__file__", None)
    return bool(code_dir and path and os.path.realpath(path).startswith(code_dir))


def full_name(fn):
    """module.name, module.Class for a callable instance, module.Class.method for a bound method."""
    module = _module_name(fn)
    owner = getattr(fn, "__self__", None)
    if owner is not None and not inspect.ismodule(owner):
        owner_type = owner if isinstance(owner, type) else type(owner)
        return f"{module}.{owner_type.__qualname__}.{fn.__name__}"
    if hasattr(fn, "__qualname__"):
        return f"{module}.{fn.__qualname__}"
    return f"{module}.{type(fn).__qualname__}"


def short_name(fn):
    return full_name(fn).rsplit(".", 1)[-1]


# ---- dispatching ----

def dispatch(fn, *args, **kwargs):
    if fn is time.sleep and not getattr(_local, "in_activity", False) and not _state["loading"]:
        return _durable_sleep(*args)
    if not should_run_as_activity(fn):
        return fn(*args, **kwargs)
    return run_as_activity(fn, args, kwargs)


async def adispatch(fn, *args, **kwargs):
    if fn is asyncio.sleep and not getattr(_local, "in_activity", False) and not _state["loading"]:
        return _durable_sleep(*args[:1])
    if not should_run_as_activity(fn):
        return await fn(*args, **kwargs)
    return run_as_activity(fn, args, kwargs)


def _durable_sleep(seconds):
    from autokitteh import _bindings
    _bindings.call("sleep", int(seconds * 1000))


class _Pending:
    def __init__(self, fn, args, kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.executing = False
        self.outcome = None
        self.abandoned = False
        self.answered = threading.Event()


def run_as_activity(fn, args, kwargs):
    """Announces the call, waits for the worker's reply and returns (or raises) its outcome."""
    pending = _Pending(fn, args, kwargs)
    with _lock:
        if _state["pending"] is not None:
            raise RuntimeError("nested activity calls are not supported")
        _state["pending"] = pending
    try:
        _state["send_activity"](short_name(fn), [values.to_tagged(a) for a in args],
                                {k: values.to_tagged(v) for k, v in kwargs.items()})
        pending.answered.wait()
    finally:
        with _lock:
            _state["pending"] = None
    if pending.abandoned:
        raise ReplayAbandoned()
    if "exception" in pending.outcome:
        raise pending.outcome["exception"]
    return pending.outcome["result"]


def execute():
    """Worker's Execute: runs the pending call on a thread; returns None or an error text."""
    with _lock:
        pending = _state["pending"]
        if pending is None or pending.executing:
            return "no pending activity calls"
        pending.executing = True
    threading.Thread(target=_execute, args=(pending,), name="autokitteh-activity", daemon=True).start()
    return None


def _execute(pending):
    _local.in_activity = True
    try:
        result = pending.fn(*pending.args, **pending.kwargs)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        outcome, shown = {"result": result}, values.to_tagged(result)
    except Exception as err:  # noqa: BLE001 - the exception travels inside the result, as autokitteh's does
        outcome, shown = {"exception": picklable(err)}, ["nothing"]
    finally:
        _local.in_activity = False
    try:
        data = pickle.dumps(outcome)
    except Exception as err:  # noqa: BLE001
        data = pickle.dumps({"exception": RuntimeError(f"activity result can't be pickled: {err!r}")})
    _state["send_execute_reply"](shown, data)


def reply(data):
    """Worker's ActivityReply: hands the outcome to the waiting call. Returns None or (kind, text)."""
    pending = _state["pending"]
    if pending is None:
        return ["invalid", "ActivityReply without pending calls"]
    try:
        outcome = pickle.loads(data)
    except Exception as err:  # noqa: BLE001
        return ["internal", f"can't read the activity result ({err!r}): values crossing a durable session must be picklable"]
    if not isinstance(outcome, dict) or not ({"result", "exception"} & outcome.keys()):
        return ["invalid", f"ActivityReply carries {type(outcome).__name__}, not an activity outcome"]
    pending.outcome = outcome
    pending.answered.set()
    return None


def abandon():
    """The session ended while a call was pending (a failed ActivityReply): unwind the handler."""
    pending = _state["pending"]
    if pending is not None:
        pending.abandoned = True
        pending.answered.set()
