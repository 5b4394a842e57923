"""The Python half of EmbeddedPython.Vantiq: pythonExecSource's query semantics (Vantiq spec section 3).

The .NET side owns the websocket; for each query it runs a two-line bootstrap on the interpreter thread
that calls ``run_query`` here. Everything the original connector decides in Python (WITH parsing,
validation order, the error catalogue, the per-connection code cache, ``__file__``, which globals come
back and how they serialise) is decided here, with Python's own ``compile``/``exec``/``json``, so that the
observable behaviour is the original's. Every reply frame goes to .NET at once through the connection's
``reply`` callback (so replies and notifications keep the order the code sent them in); the host request
of the query (the bootstrap's ``connector_context``/``connector_connection``) is then completed with
``[DONE, None]``, or with ``[NEED_*, name]`` when .NET must fetch a document first.
"""

import asyncio
import collections
import functools
import hashlib
import json
import math
import time
import traceback
import uuid

__all__ = ["VantiqConnection", "VantiqConnectorException", "configure", "forget", "run_query"]

_PREFIX = "io.vantiq.pyexecsource."
# What a query's host request ends with: its final frame went out, or .NET must fetch a document first.
DONE, NEED_DOCUMENT, NEED_CONTENT = 0, 1, 2
_INJECTED = ("__file__", "__name__", "connector_connection", "connector_context", "__builtins__")

_connections = {}


class VantiqConnectorException(Exception):
    """Raised by the connection's send methods, as the original SDK does."""


class _Context(dict):
    """``connector_context``: the plain dict user code sees ({source_name, response_address}); the slots
    tie it to the host request that answers the query, without showing up in ``dict(ctx)``."""

    __slots__ = ("_request", "_core")


def _truthy(value):
    # Vantiq spec 3.2: JSON booleans as themselves; strings yes/true/t/1 (case-insensitive, untrimmed).
    if value is True or value is False:
        return value
    if isinstance(value, str):
        return value.lower() in ("yes", "true", "t", "1")
    return False


def _strict_json(value):
    """JSON text of value as Python's json writes it, except that NaN/Infinity become null (the original
    wrote bare NaN tokens that strict parsers reject)."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _error(code, template, parameters):
    return [400, _strict_json({"messageCode": code, "messageTemplate": template, "parameters": parameters})]


class _CodeCache:
    """The per-connection LRU of compiled code (``codeCacheSize`` entries)."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.entries = collections.OrderedDict()

    def get(self, name):
        entry = self.entries.get(name)
        if entry is not None:
            self.entries.move_to_end(name)
        return entry

    def put(self, name, entry):
        if self.capacity <= 0:
            return False
        self.entries[name] = entry
        self.entries.move_to_end(name)
        while len(self.entries) > self.capacity:
            self.entries.popitem(last=False)
        return True

    def drop(self, name):
        self.entries.pop(name, None)


class VantiqConnection:
    """``connector_connection``: the calls pythonExecSource offers to user code (spec 3.9)."""

    def __init__(self, source_name, config, server_config, reply, notify, health, close):
        self.source_name = source_name
        self.config = config
        self.is_connected = True
        self._server_config = server_config
        self._reply = reply
        self._notify = notify
        self._health = health
        self._close = close
        general = ((config or {}).get("pythonExecConfig") or {}).get("general") or {}
        size = general.get("codeCacheSize", 128)
        # A numeric string is accepted (the original broke on it at run time).
        self._cache = _CodeCache(int(size) if isinstance(size, (int, str)) and str(size).strip().lstrip("-").isdigit() else 128)
        self._runtime_info = _truthy(general.get("returnRuntimeInformation", False))

    # ---- replies ----

    def _check_context(self, context, message):
        if (not isinstance(context, dict) or context.get("source_name") != self.source_name
                or context.get("response_address") is None or getattr(context, "_request", None) is None):
            raise VantiqConnectorException(message.format(context))

    async def send_query_response(self, context, code, message=None):
        """Sends 100 (partial), 200 (final, with data) or 204 (final, no data) for the query of context."""
        self._check_context(context, "Query response is missing or has incomplete context: {}.")
        if code not in (100, 200, 204):
            raise VantiqConnectorException(f"send_query_response(): Invalid Code: {code}.")
        if code != 204 and message is None:
            raise VantiqConnectorException("send_query_response(): Non-empty responses require a message parameter.")
        self._reply(context["response_address"], code, None if code == 204 else _strict_json(message))
        if code != 100:
            _done(context._core, context._request)

    async def send_query_error(self, context, message):
        """Sends a 400 error {messageCode, messageTemplate, parameters} for the query of context."""
        self._check_context(context, "send_query_error(): Missing or incomplete context: {}.")
        missing = [k for k in ("messageCode", "messageTemplate", "parameters") if not isinstance(message, dict) or message.get(k) is None]
        if missing:
            raise VantiqConnectorException(f"send_query_error(): the error needs {', '.join(missing)}: {message!r}.")
        self._reply(context["response_address"], 400, _strict_json(message))
        _done(context._core, context._request)

    async def send_notification(self, message):
        """Sends a notification (an event on /sources/<name>) with message as its value."""
        self._notify(_strict_json(message))

    # ---- the rest of the original's surface ----

    def get_source(self):
        return self.source_name

    def get_server_config(self):
        # Without the auth token, unlike the original.
        return dict(self._server_config)

    def is_healthy(self):
        return self._health(None)

    async def declare_healthy(self):
        self._health(True)

    async def declare_unhealthy(self):
        self._health(False)

    async def close(self):
        self._close()


def configure(connection_id, source_name, config, server_config, reply, notify, health, close):
    """A session of connection_id received configureExtension: a fresh connection object and empty cache."""
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        config = config["config"]
    _connections[connection_id] = VantiqConnection(source_name, config, server_config, reply, notify, health, close)


def forget(connection_id):
    _connections.pop(connection_id, None)


class _Entry:
    """A cached compilation: the code object and the version it was made from (SHA-256 of the text, or
    the document's modification date)."""

    __slots__ = ("code", "version")

    def __init__(self, code, version):
        self.code, self.version = code, version


async def run_query(core, request_id, args):
    """Answers one query, as a task on the running loop (it awaits nothing). Its reply goes out through the
    connection's reply callback and the host request ends with [DONE, None], or with [NEED_*, name] when
    .NET must fetch a document first. A failure of this module becomes the generic runpython error."""
    try:
        reply = _run(core, request_id, args)
    except Exception as e:
        reply = _error(_PREFIX + "runpython.exception", "Executing python code in connector resulted in an exception: {0} :: {1}",
                       [type(e).__name__, traceback.format_exc()])
    if reply is None:
        return
    if reply[0] in (NEED_DOCUMENT, NEED_CONTENT):
        core.send_query_response(request_id, 200, reply)
    else:
        _connections[args["connection"]]._reply(args["address"], reply[0], reply[1])
        _done(core, request_id)


def _done(core, request_id):
    """Ends the host request of a query whose final frame went out."""
    core.send_query_response(request_id, 200, [DONE, None])


def _run(core, request_id, args):
    started = time.perf_counter()
    connection = _connections[args["connection"]]
    query = args["query"]
    if not isinstance(query, dict):
        return _error(_PREFIX + "runpython.nocode", "No code was provided to execute. Message was {0}, but no {1} value was present.", [query, "code"])
    handles_return = _truthy(query.get("codeHandlesReturn"))

    # Validation, in the original's order; the first hit wins (spec 3.4).
    names = None
    if "limitReturnTo" in query:
        limit = query["limitReturnTo"]
        if isinstance(limit, str):
            names = limit.replace(" ", "").split(",")
        elif isinstance(limit, list) and all(isinstance(e, str) for e in limit):
            names = [e.strip() for e in limit]
        else:
            # A non-string list element is answered too (the original crashed and never replied).
            found = next(e for e in limit if not isinstance(e, str)) if isinstance(limit, list) else limit
            return _error(_PREFIX + "runpython.badreturnvaluesfor", "The returnValuesFor parameter must be a string or a list, found: {0}",
                          [type(found).__name__])
        if handles_return:
            return _error(_PREFIX + "runpython.conflictingreturn",
                          "This query stated that the code will generate the return value and specifiedThe returnValuesFor list. These items are in conflict.", [])
    presets = query.get("presetValues", {})
    if "presetValues" in query and not isinstance(presets, dict):
        return _error(_PREFIX + "runpython.badglobalpreset", "The{0} entry must be VAIL object (a dict at the connector).", ["presetValues"])
    has_code = "code" in query
    code = query.get("code")
    script = query.get("script") if not has_code else None
    name = script if script is not None else query.get("name")
    cache_code = _truthy(query["cache_code"]) if "cache_code" in query else name is not None
    if cache_code and name is None:
        return _error(_PREFIX + "runpython.nocachename", "A request was made to cache the code but no name was provided.", [])
    if code is None and script is None and name is None:
        return _error(_PREFIX + "runpython.nocode", "No code was provided to execute. Message was {0}, but no {1} value was present.", [query, "code"])
    if name is not None and _truthy(query.get("replace")):
        connection._cache.drop(name)  # works here; the original never awaited the removal

    # Resolve the code: cache, fresh text, or a document (spec 3.5).
    cache = connection._cache
    using_cached = new_entry = False
    compile_time = None
    if script is not None:
        document = args.get("document")
        if document is None:
            return [NEED_DOCUMENT, script]
        entry = cache.get(script)
        if entry is not None and entry.version != document["modified"]:
            cache.drop(script)
            entry = None
        if entry is None and document.get("content") is None:
            return [NEED_CONTENT, script]
        if entry is None:
            compiled, compile_time, failure = _compile(document["content"], script)
            if failure:
                return failure
            entry = _Entry(compiled, document["modified"])
            new_entry = cache_code and cache.put(script, entry)
        else:
            using_cached = True
        file = script
    else:
        entry = cache.get(name) if name is not None else None
        digest = hashlib.sha256(code.encode("utf-8")).hexdigest() if isinstance(code, str) else None
        if entry is not None and code is not None and digest != entry.version:
            cache.drop(name)
            entry = None
        if entry is not None:
            using_cached = True
            file = name if name.endswith(".py") else name + ".py"
        else:
            if code is None:
                if name is not None:
                    return _error(_PREFIX + "runpython.nocache", "No cached code was found for name: {0}.", [name])
                return _error(_PREFIX + "runpython.nocode", "No code was provided to execute.", [])
            file = f"code-for-source-{connection.source_name}-{uuid.uuid4()}"
            compiled, compile_time, failure = _compile(code, file)
            if failure:
                return failure
            entry = _Entry(compiled, digest)
            if name is not None and cache_code:
                new_entry = cache.put(name, entry)

    # Execute (spec 3.7).
    context = _Context(source_name=connection.source_name, response_address=args["address"])
    context._request, context._core = request_id, core
    user_globals = {"__file__": file, "__name__": "__main__", "connector_connection": connection, "connector_context": context}
    user_globals.update(presets)
    tasks_before = asyncio.all_tasks() if handles_return else None
    exec_started = time.perf_counter()
    try:
        exec(entry.code, user_globals)
    except ImportError as e:
        return _error(_PREFIX + "execution.importerror", "Execution raised exception: {0} :: {1}", [type(e).__name__, str(e)])
    except ImportWarning as e:
        return _error(_PREFIX + "execution.importwarning", "Executing code raised exception: {0} :: {1}", [type(e).__name__, str(e)])
    except (Exception, SystemExit, KeyboardInterrupt) as e:
        # sys.exit() and KeyboardInterrupt end the script, not the host (the original's process died).
        if isinstance(e, MemoryError):
            connection._health(False)
        return _error(_PREFIX + "execution.exception", "Executing code raised exception: {0} :: {1}", [type(e).__name__, traceback.format_exc()])
    execution_time = time.perf_counter() - exec_started
    if handles_return:
        # A task of the code that raises before the query was answered fails the query with its exception
        # (the original only logged "Task exception was never retrieved" and left the caller waiting).
        for task in asyncio.all_tasks() - tasks_before:
            task.add_done_callback(functools.partial(_task_done, connection, core, request_id, args["address"]))
        return None

    results = {}
    for key, value in user_globals.items():
        if key in _INJECTED or (names is not None and key not in names):
            continue
        try:
            json.dumps(value)
        except (TypeError, OverflowError, ValueError, RecursionError):
            # Not JSON (modules, functions, sets, ...) or circular: left out. The original failed the
            # whole query on a circular value.
            continue
        results[key] = value
    body = {"pythonCallResults": results}
    if connection._runtime_info:
        total = time.perf_counter() - started + args.get("fetchSeconds", 0.0)
        info = {"using_cached": using_cached}
        if name is not None:
            info["name"] = name
        info["newCacheEntry"] = bool(new_entry)
        if compile_time is not None:
            info["compileTime"] = compile_time
        info.update(executionTime=execution_time, totalTime=total, query_time=total,
                    currentCacheSize=len(cache.entries), cacheCapacity=cache.capacity)
        body["connectorRuntimeInfo"] = info
    return [200, _strict_json(body)]


def _task_done(connection, core, request_id, address, task):
    if task.cancelled() or task.exception() is None:
        return
    e = task.exception()
    reply = _error(_PREFIX + "execution.exception", "Executing code raised exception: {0} :: {1}",
                   [type(e).__name__, "".join(traceback.format_exception(type(e), e, e.__traceback__))])
    try:
        connection._reply(address, reply[0], reply[1])
    except Exception:
        return  # the query was already answered
    _done(core, request_id)


def _compile(source, filename):
    started = time.perf_counter()
    try:
        compiled = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as e:  # IndentationError and TabError included
        return None, None, _error(_PREFIX + "compile.syntaxerror", "Compilation resulted in: {0} :: file {1}, line {2}, offset {3} -- {4}",
                                  [type(e).__name__, e.filename, e.lineno, e.offset, e.text])
    except ImportError as e:
        return None, None, _error(_PREFIX + "compile.importerror", "Compilation resulted in: {0} :: {1}", [type(e).__name__, str(e)])
    except ImportWarning as e:
        return None, None, _error(_PREFIX + "compile.importwarning", "Compilation resulted in: {0} :: {1}", [type(e).__name__, str(e)])
    except (TypeError, ValueError) as e:
        return None, None, _error(_PREFIX + "compile.exception", "Compilation resulted in: {0} :: {1}", [type(e).__name__, str(e)])
    return compiled, time.perf_counter() - started, None
