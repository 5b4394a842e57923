"""What the .NET host calls. The host owns every nng socket; this module owns the plugin objects.

The host binds its callbacks once (``bind``), runs the plugin script, and ``plugin.start`` lands in
``register``. Then, for each command eKuiper sends, the host calls ``start`` / ``stop`` (which return the
exact reply text), ``deliver`` for sink messages and ``call`` for function calls (which returns the reply
bytes). Sources and sinks run on their own Python threads, never on the interpreter thread.
"""

import json
import logging
import queue
import threading
import traceback
from collections import OrderedDict

from ekuiper.runtime import shared
from ekuiper.runtime.contextimpl import FunctionContext, SinkContext, SourceContext

_log = logging.getLogger("ekuiper")
_callbacks = {}
_plugins = {}
_running = {}
_functions = {}
_function_contexts = OrderedDict()
_FUNCTION_CONTEXTS_MAX = 1024
_STOP = object()


def bind(send, closed, started):
    """send(key, bytes) -> bool pushes on a symbol's channel (False: try again); closed(key) releases the
    channel of a symbol that ended by itself; started(name, sources, sinks, functions) announces a plugin."""
    _callbacks.update(send=send, closed=closed, started=started)


def register(config):
    _plugins[config.name] = config
    _callbacks["started"](config.name, list(config.sources), list(config.sinks), list(config.functions))


def _reply_error():
    text = traceback.format_exc()
    _log.error("%s", text)
    return text


def start(plugin_name, arg, key):
    """Runs a start command (arg: the command's JSON text; key: the instance key the host files its
    channels under, "<ruleId>_<opId>_<instanceId>_<symbolName>"); returns the reply text."""
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
            ctx = SourceContext(meta, key, _callbacks["send"])
            target = _run_source
            inbox = None
        else:
            instance.configure(config)
            ctx = SinkContext(meta, key, _callbacks["send"], bool(config.get("requireAck")))
            target = _run_sink
            inbox = queue.SimpleQueue()
        _running[key] = (instance, ctx, inbox)
        threading.Thread(target=target, args=(key, instance, ctx, inbox), name=key, daemon=True).start()
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
    instance, ctx, inbox = entry
    ctx.running = False
    if inbox is not None:
        inbox.put(_STOP)
    try:
        instance.close(ctx)
    except Exception:
        _log.error("close of %s failed:\n%s", key, traceback.format_exc())
    return True


def _ended_by_itself(key):
    if _stop(key):
        _callbacks["closed"](key)


def _run_source(key, instance, ctx, _):
    try:
        instance.open(ctx)
    except Exception:
        if ctx.running:
            _log.error("source %s failed:\n%s", key, traceback.format_exc())
    _ended_by_itself(key)


def _run_sink(key, instance, ctx, inbox):
    try:
        instance.open(ctx)
    except Exception:
        _log.error("sink %s failed to open:\n%s", key, traceback.format_exc())
        _ended_by_itself(key)
        return
    while True:
        data = inbox.get()
        if data is _STOP:
            return
        try:
            instance.collect(ctx, data)
        except Exception:
            # One bad message does not end the sink (the original's thread dies here).
            _log.error("sink %s collect failed:\n%s", key, traceback.format_exc())


def deliver(key, messages):
    """Queues messages eKuiper sent to a sink; returns how many wait, or -1 when the sink is gone."""
    entry = _running.get(key)
    if entry is None:
        return -1
    inbox = entry[2]
    for message in messages:
        inbox.put(message)
    return inbox.qsize()


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
