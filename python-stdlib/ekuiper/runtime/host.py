"""What the .NET host calls, through its call API. The host owns every nng socket; this module owns the
plugin objects.

The host binds its ``started`` callback once (``bind``), runs each plugin script (``run_script``), and
``plugin.start`` lands in ``register``. Then, for each command eKuiper sends, the host calls ``start`` /
``stop`` (which return the exact reply text) and ``call`` for function calls (which returns the reply bytes).
A source or sink gets its channel as .NET callables at ``start`` and runs on its own Python thread, which
sends and receives through them directly (the GIL is released while they wait): no message passes through
the interpreter thread.
"""

import json
import logging
import os
import sys
import threading
import traceback
from collections import OrderedDict

from embedded_python import modules
from ekuiper.runtime import shared
from ekuiper.runtime.contextimpl import FunctionContext, SinkContext, SourceContext

_log = logging.getLogger("ekuiper")
_started = []
_plugins = {}
_running = {}
_functions = {}
_function_contexts = OrderedDict()
_FUNCTION_CONTEXTS_MAX = 1024


def bind(started):
    """started(name, sources, sinks, functions) announces a plugin whose script called ``plugin.start``."""
    _started[:] = [started]


def run_script(script, arguments):
    """Runs a plugin script as ``__main__`` the way python would: ``sys.argv`` is the script and its
    arguments, its folder is first on ``sys.path``. This package is already imported, so a copy of the SDK
    bundled next to the script does not shadow it. ``__main__`` is restored afterwards, as runpy does."""
    script = os.path.abspath(script)
    sys.argv = [script, *arguments]
    main = sys.modules.get("__main__")
    try:
        modules.load_file(script, name="__main__", reload="always")
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def register(config):
    _plugins[config.name] = config
    _started[0](config.name, list(config.sources), list(config.sinks), list(config.functions))


def _reply_error():
    text = traceback.format_exc()
    _log.error("%s", text)
    return text


def start(plugin_name, arg, key, send=None, receive=None, closed=None):
    """Runs a start command (arg: the command's JSON text; key: the instance key the host files its
    channels under, "<ruleId>_<opId>_<instanceId>_<symbolName>"); returns the reply text.

    A source or sink gets its channel: ``send(bytes) -> bool`` pushes a tuple or an ack (waiting while
    eKuiper is slow; False once the channel is closed), ``receive() -> bytes | None`` takes the next sink
    message (None once closed), ``closed()`` releases the channel of a symbol that ended by itself."""
    try:
        control = json.loads(arg)
        factory = _plugins[plugin_name].get(control["pluginType"], control["symbolName"])
        if factory is None:
            return "symbol not found"
        plugin_type = control["pluginType"]
        if plugin_type == shared.TYPE_FUNC:
            _functions[control["symbolName"]] = factory()
            return shared.REPLY_OK
        meta = control["meta"]
        if key in _running:
            return shared.REPLY_OK
        instance = factory()
        config = control.get("config") or {}
        if plugin_type == shared.TYPE_SOURCE:
            # The original passes control["datasource"], a key eKuiper never sends: always "" (kept).
            instance.configure("", config)
            ctx = SourceContext(meta, key, send)
            target = _run_source
        else:
            instance.configure(config)
            ctx = SinkContext(meta, key, send, bool(config.get("requireAck")))
            target = _run_sink
        _running[key] = (instance, ctx, closed)
        threading.Thread(target=target, args=(key, instance, ctx, receive), name=key, daemon=True).start()
        return shared.REPLY_OK
    except Exception:
        return _reply_error()


def stop(key):
    """Runs a stop command; replies ok whether or not the symbol was running (so eKuiper drops its record)."""
    if not _stop(key):
        _log.warning("stop: %s is not running", key)
    return shared.REPLY_OK


def _stop(key):
    entry = _running.pop(key, None)
    if entry is None:
        return False
    instance, ctx, _ = entry
    ctx.running = False
    try:
        instance.close(ctx)
    except Exception:
        _log.error("close of %s failed:\n%s", key, traceback.format_exc())
    return True


def _ended_by_itself(key, ctx):
    # Only this instance: a rule restarted at once runs a new one under the same key.
    entry = _running.get(key)
    if entry is not None and entry[1] is ctx and _stop(key):
        entry[2]()


def _run_source(key, instance, ctx, _):
    try:
        instance.open(ctx)
    except Exception:
        if ctx.running:
            _log.error("source %s failed:\n%s", key, traceback.format_exc())
    _ended_by_itself(key, ctx)


def _run_sink(key, instance, ctx, receive):
    try:
        instance.open(ctx)
    except Exception:
        _log.error("sink %s failed to open:\n%s", key, traceback.format_exc())
        _ended_by_itself(key, ctx)
        return
    while True:
        data = receive()
        if data is None:
            # Closed: by a stop (then nothing is left to do) or because the channel failed.
            _ended_by_itself(key, ctx)
            return
        try:
            instance.collect(ctx, data)
        except Exception:
            # One bad message does not end the sink (the original's thread dies here).
            _log.error("sink %s collect failed:\n%s", key, traceback.format_exc())


def _function_context(symbol, text):
    meta = json.loads(text)
    missing = [k for k in ("ruleId", "opId", "instanceId", "funcId") if k not in meta]
    if missing:
        raise ValueError(f"invalid arg: {meta} ruleId, opId, instanceId and funcId are required")
    cache_key = f"{symbol}_{meta['ruleId']}_{meta['opId']}_{meta['instanceId']}_{meta['funcId']}"
    ctx = _function_contexts.pop(cache_key, None) or FunctionContext(meta)
    _function_contexts[cache_key] = ctx
    while len(_function_contexts) > _FUNCTION_CONTEXTS_MAX:
        _function_contexts.popitem(last=False)
    return ctx


def call(symbol, request):
    """Serves one function call (request: the JSON bytes eKuiper sent); returns the reply bytes, or the
    error text of a failed call, which the host bounds and sends as {"state": false, "result": text}."""
    try:
        state, result = _call(symbol, json.loads(request))
        return json.dumps({"state": True, "result": result}).encode("utf-8") if state else str(result)
    except Exception:
        return _reply_error()


def _call(symbol, request):
    instance = _functions.get(symbol)
    if instance is None:
        return False, f"function {symbol} was not started"
    func, arg = request.get("func"), request.get("arg")
    if func == "Validate":
        error = instance.validate(arg)
        return (True, "") if error == "" else (False, error)
    if func == "Exec":
        if not isinstance(arg, list) or len(arg) == 0:
            return False, "invalid arg"
        try:
            ctx = _function_context(symbol, arg[-1])
        except ValueError as e:
            return False, str(e)
        return True, instance.exec(arg[:-1], ctx)
    if func == "IsAggregate":
        return True, instance.is_aggregate()
    return False, f"invalid func {func}"
