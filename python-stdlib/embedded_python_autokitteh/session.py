"""One autokitteh session: load the entry point, run the handler on its own thread, report the outcome.

A runner serves one session (as autokitteh starts one runner per session), so the state lives in this
module. The .NET side calls `load`, then `run` with its callables: `send_print(text)` (one per print()),
`syscall(name, args)` (returns {"value": ...} or {"error": text}), and the two of `durable.connect`.
"""

import asyncio
import base64
import builtins
import inspect
import json
import os
import pickle
import sys
import threading
import traceback

import autokitteh
from autokitteh import _bindings
from embedded_python import modules

from . import durable, values
from .errors import complete_args

_PACKAGE_HINT = (
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    "!! you need to add a package that provides this module !!\n"
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n"
)
_PICKLE_HINT = "(values crossing a durable session must be picklable)\n\n"

_state = {"code_dir": None, "handler": None, "print": None, "durable": False}
_original_print = builtins.print


def _session_print(*args, sep=" ", end="\n", file=None, flush=False):
    """print() that also sends the text to the worker, from the session's threads (not from requests
    the interpreter's own thread runs meanwhile)."""
    _original_print(*args, sep=sep, end=end, file=file, flush=flush)
    sink = _state["print"]
    if sink is not None and (file is None or file is sys.stdout) and threading.current_thread() is not threading.main_thread():
        separator = " " if sep is None else sep
        sink(separator.join(str(a) for a in args) + ("\n" if end is None else end))


def load(code_dir, entry_file, function_name, is_durable):
    """Imports the entry module from code_dir afresh (its calls rewritten when durable); returns None, or the
    text of what failed."""
    module_name = entry_file[:-3]
    _leave_previous_session(code_dir)
    _state["durable"] = is_durable
    # A call left pending by an earlier session in this process is abandoned first.
    durable.abandon()
    if is_durable:
        durable.install(code_dir)
    else:
        durable.uninstall()
    try:
        with durable.loading():
            # autokitteh imports user code afresh in each session's process; one process may serve several
            # sessions one after the other (tests, long-lived hosts).
            module = modules.import_from(code_dir, module_name, fresh=True)
    except Exception as err:  # noqa: BLE001 - any failure to import is reported to the worker
        text = f"can't load {module_name} from {code_dir} - {format_error(err)}"
        if "No module named" in text:
            text = _PACKAGE_HINT + text
        if "pickle" in text:
            text = _PICKLE_HINT + text
        return text
    handler = getattr(module, function_name, None)
    if handler is None or not callable(handler):
        return f"function '{function_name}' not found"
    _state["handler"] = handler
    return None


async def run(event_json, send_print, syscall, send_activity, send_execute_reply):
    """Runs the loaded handler on a thread of its own and returns its outcome: {"value", "data"} or
    {"error", "traceback"}. Awaited on the interpreter's loop, which serves other work meanwhile."""
    handler = _state["handler"]
    if handler is None:
        raise RuntimeError("no entry point was loaded")
    event, session_id = _make_event(event_json)
    _state["print"] = send_print
    _bindings.syscall = syscall
    durable.connect(send_activity, send_execute_reply)
    builtins.print = _session_print
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def body():
        try:
            kwargs = {"session_id": session_id} if _accepts(handler, "session_id") else {}
            # A handler marked as an activity runs as one activity in a durable session.
            if _state["durable"] and getattr(handler, "__ak_activity__", False):
                result = durable.dispatch(handler, event, **kwargs)
            else:
                result = handler(event, **kwargs)
            if inspect.iscoroutine(result):
                result = asyncio.run(result)
            outcome = {"value": values.to_tagged(result), "data": _pickled(result)}
        except BaseException as err:  # noqa: BLE001 - every outcome, SystemExit included, ends the session
            outcome = {"error": format_error(err), "traceback": frames(err)}
        finally:
            if _state["print"] is send_print:
                _state["print"] = None
        loop.call_soon_threadsafe(done.set_result, outcome)

    threading.Thread(target=body, name="autokitteh-session", daemon=True).start()
    return await done


def format_error(err):
    """"error: <repr>", a blank line and the formatted traceback, as autokitteh's Done.error carries it."""
    complete_args(err)
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip("\n")
    return f"error: {err!r}\n\n{text}"


def frames(err):
    """Traceback frames from the first one inside the code directory on."""
    code_dir = os.path.realpath(_state["code_dir"] or ".") + os.sep
    summary = traceback.extract_tb(err.__traceback__)
    start = next((i for i, f in enumerate(summary) if os.path.realpath(f.filename).startswith(code_dir)), 0)
    return [{"filename": f.filename, "lineno": f.lineno or 0, "code": f.line or "", "name": f.name}
            for f in summary[start:]]


def _pickled(result):
    try:
        return pickle.dumps(result)
    except Exception:  # noqa: BLE001 - the display value still goes out; data only needs to be readable by us
        return pickle.dumps(repr(result))


def _accepts(function, name):
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _make_event(event_json):
    raw = json.loads(event_json) if event_json else {}
    data = raw.get("data") or {}
    body = data.get("body") if isinstance(data, dict) else None
    if isinstance(body, dict) and isinstance(body.get("bytes"), str):
        body["bytes"] = base64.b64decode(body["bytes"])
    event = autokitteh.Event(data=autokitteh.AttrDict(data), event_type=raw.get("event_type"),
                             event_id=raw.get("event_id"))
    return event, raw.get("session_id")


def _leave_previous_session(code_dir):
    # Modules of an earlier session's folder must not answer this session's imports.
    previous = _state["code_dir"]
    if previous and previous != code_dir:
        modules.forget(previous)
        while previous in sys.path:
            sys.path.remove(previous)
    _state["code_dir"] = code_dir
    _state["handler"] = None
