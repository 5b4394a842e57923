"""The Python half of EmbeddedPython.Vantiq: pythonExecSource's query semantics (Vantiq spec section 3).

The .NET side owns the websocket. For each session it calls ``configure``, which returns the session's
``connector_connection`` (kept by .NET as a handle); for each query it calls ``run_query`` with that handle, the
query's WITH object as the JSON text the server sent, and its reply address. Everything the original connector
decides in Python (WITH parsing, validation order, the error catalogue, the per-connection code cache,
``__file__``, which globals come back and how they serialise) is decided here, with Python's own
``compile``/``exec``/``json``, so that the observable behaviour is the original's. Every frame goes to .NET as
soon as it is made, through the session's callbacks, already serialised (so replies and notifications keep the
order the code sent them in and .NET only sends the bytes); ``run_query`` returns None once the query's final
frame went out, or ``[NEED_DOCUMENT | NEED_CONTENT, name]`` when .NET must fetch a document first.
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

__all__ = ["VantiqConnection", "VantiqConnectorException", "configure", "run_query", "NEED_DOCUMENT", "NEED_CONTENT", "UNANSWERED"]

_PREFIX = "io.vantiq.pyexecsource."
# What run_query returns when .NET must fetch a document's metadata, or its content, before it can go on;
# and, with the reason, when it ended a self-returning query its code never answered.
NEED_DOCUMENT, NEED_CONTENT, UNANSWERED = "document", "content", "unanswered"
_INJECTED = ("__file__", "__name__", "connector_connection", "connector_context", "__builtins__")
# Tasks that run_query runs in: never a task of the user's code.
_query_tasks = set()


class VantiqConnectorException(Exception):
    """Raised by the connection's send methods, as the original SDK does."""


class _Context(dict):
    """``connector_context``: the plain dict user code sees ({source_name, response_address}); the slot ties
    it to the query it answers, without showing up in ``dict(ctx)``."""

    __slots__ = ("_query",)


class _Query:
    """A query whose code handles its own return: ``answered`` resolves when its final frame went out, or when
    its code's tasks all ended without one (then with the error to send)."""

    __slots__ = ("answered", "before", "pending", "unanswered")

    def __init__(self):
        self.answered = asyncio.get_running_loop().create_future()
        self.before = None
        self.pending = set()
        self.unanswered = False

    def finish(self, error=None):
        if not self.answered.done():
            self.answered.set_result(error)


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


def _response_frame(address, code, body):
    """A query response frame as the original SDK writes it (its key order, json's separators); body is JSON
    text, or None for 204, which has no body key at all."""
    head = '{"status": %d, "headers": {"X-Reply-Address": %s}' % (code, json.dumps(address))
    return (head + "}" if body is None else head + ', "body": ' + body + "}").encode()


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
    """``connector_connection``: the calls pythonExecSource offers to user code (spec 3.9), for one session.

    The callbacks are .NET's: ``send(address, final, frame)`` sends a response frame (it returns None, or the
    reason it refused: the query was already answered or timed out, or the queue is full), ``send_error(address,
    body)`` sends a 400 with that error body, ``notify(frame)`` sends a notification frame, ``health(state)``
    declares (True/False) or reads (None) the health probe, ``close()`` asks for a reconnect.
    """

    def __init__(self, source_name, config, server_config, send, send_error, notify, health, close):
        self.source_name = source_name
        self.config = config
        self.is_connected = True
        self._server_config = server_config
        self._send = send
        self._send_error = send_error
        self._notify = notify
        self._health = health
        self._close = close
        self._notification_head = '{"op": "notification", "resourceName": "sources", "resourceId": %s, "object": ' % json.dumps(source_name)
        general = ((config or {}).get("pythonExecConfig") or {}).get("general") or {}
        size = general.get("codeCacheSize", 128)
        # A numeric string is accepted (the original broke on it at run time).
        self._cache = _CodeCache(int(size) if isinstance(size, (int, str)) and str(size).strip().lstrip("-").isdigit() else 128)
        self._runtime_info = _truthy(general.get("returnRuntimeInformation", False))

    # ---- replies ----

    def _answer(self, address, reply):
        """Sends a final reply [status, body JSON]; False when the query was already answered."""
        if reply[0] == 400:
            return self._send_error(address, reply[1]) is None
        return self._send(address, True, _response_frame(address, reply[0], reply[1])) is None

    def _check_context(self, context, message):
        if (not isinstance(context, dict) or context.get("source_name") != self.source_name
                or context.get("response_address") is None or getattr(context, "_query", None) is None):
            raise VantiqConnectorException(message.format(context))

    async def send_query_response(self, context, code, message=None):
        """Sends 100 (partial), 200 (final, with data) or 204 (final, no data) for the query of context."""
        self._check_context(context, "Query response is missing or has incomplete context: {}.")
        if code not in (100, 200, 204):
            raise VantiqConnectorException(f"send_query_response(): Invalid Code: {code}.")
        if code != 204 and message is None:
            raise VantiqConnectorException("send_query_response(): Non-empty responses require a message parameter.")
        address = context["response_address"]
        refused = self._send(address, code != 100, _response_frame(address, code, None if code == 204 else _strict_json(message)))
        if refused is not None:
            raise VantiqConnectorException(refused)
        if code != 100:
            context._query.finish()

    async def send_query_error(self, context, message):
        """Sends a 400 error {messageCode, messageTemplate, parameters} for the query of context."""
        self._check_context(context, "send_query_error(): Missing or incomplete context: {}.")
        missing = [k for k in ("messageCode", "messageTemplate", "parameters") if not isinstance(message, dict) or message.get(k) is None]
        if missing:
            raise VantiqConnectorException(f"send_query_error(): the error needs {', '.join(missing)}: {message!r}.")
        refused = self._send_error(context["response_address"], _strict_json(message))
        if refused is not None:
            raise VantiqConnectorException(refused)
        context._query.finish()

    async def send_notification(self, message):
        """Sends a notification (an event on /sources/<name>) with message as its value."""
        refused = self._notify((self._notification_head + _strict_json(message) + "}").encode())
        if refused is not None:
            raise VantiqConnectorException(refused)

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


def configure(source_name, config, server_config, send, send_error, notify, health, close):
    """A session received configureExtension: its connector_connection, with an empty code cache. The
    configuration may be wrapped in one more {"config": ...} (as the Vantiq UI stores it)."""
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        config = config["config"]
    return VantiqConnection(source_name, config, server_config, send, send_error, notify, health, close)


class _Entry:
    """A cached compilation: the code object and the version it was made from (SHA-256 of the text, or
    the document's modification date)."""

    __slots__ = ("code", "version")

    def __init__(self, code, version):
        self.code, self.version = code, version


async def run_query(connection, query_json, address, document=None, fetch_seconds=0.0):
    """Answers one query of connection's session: query_json is the WITH object as the server sent it (None when
    the frame had none), document the {modified, content} .NET fetched when an earlier call asked for it.
    Returns None once the final frame went out, [NEED_*, name] when .NET must fetch a document first, or
    [UNANSWERED, reason] after it answered a query whose code did not (for .NET's telemetry). A
    failure of this module becomes the generic runpython error."""
    task = asyncio.current_task()
    _query_tasks.add(task)
    try:
        try:
            reply = _run(connection, query_json, address, document, fetch_seconds)
        except Exception as e:
            reply = _error(_PREFIX + "runpython.exception", "Executing python code in connector resulted in an exception: {0} :: {1}",
                           [type(e).__name__, traceback.format_exc()])
        query = reply if isinstance(reply, _Query) else None
        if query is not None:
            reply = await query.answered
            if reply is None:
                return None
        elif reply[0] in (NEED_DOCUMENT, NEED_CONTENT):
            return reply
        connection._answer(address, reply)
        return [UNANSWERED, "noresponse"] if query is not None and query.unanswered else None
    finally:
        _query_tasks.discard(task)


def _run(connection, query_json, address, document, fetch_seconds):
    started = time.perf_counter()
    query = None if query_json is None else json.loads(query_json)
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
    context = _Context(source_name=connection.source_name, response_address=address)
    context._query = query_state = _Query() if handles_return else None
    user_globals = {"__file__": file, "__name__": "__main__", "connector_connection": connection, "connector_context": context}
    user_globals.update(presets)
    if handles_return:
        query_state.before = asyncio.all_tasks()
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
        _watch(query_state)
        return query_state

    results = {key: value for key, value in user_globals.items()
               if key not in _INJECTED and (names is None or key in names)}
    body = {"pythonCallResults": results}
    if connection._runtime_info:
        total = time.perf_counter() - started + fetch_seconds
        info = {"using_cached": using_cached}
        if name is not None:
            info["name"] = name
        info["newCacheEntry"] = bool(new_entry)
        if compile_time is not None:
            info["compileTime"] = compile_time
        info.update(executionTime=execution_time, totalTime=total, query_time=total,
                    currentCacheSize=len(cache.entries), cacheCapacity=cache.capacity)
        body["connectorRuntimeInfo"] = info
    try:
        # Usually every value is JSON: one serialisation.
        return [200, json.dumps(body, allow_nan=False)]
    except (TypeError, OverflowError, ValueError, RecursionError):
        pass
    for key, value in list(results.items()):
        try:
            json.dumps(value)
        except (TypeError, OverflowError, ValueError, RecursionError):
            # Not JSON (modules, functions, sets, ...) or circular: left out. The original failed the
            # whole query on a circular value.
            del results[key]
    return [200, _strict_json(body)]


def _watch(query):
    """Follows the tasks a self-returning query's code started, and the tasks they start: when the last one
    ends before the final frame went out, the query fails with noresponse, or with the exception of a task that
    raised (the original only logged "Task exception was never retrieved" and left the caller waiting for its
    time limit). Tasks started later by other code count too, so the failure may come later, never early."""
    if query.answered.done():
        return
    for task in asyncio.all_tasks() - query.before - _query_tasks - query.pending:
        if not task.done():
            query.pending.add(task)
            task.add_done_callback(functools.partial(_task_done, query))
    if not query.pending:
        query.unanswered = True
        query.finish(_error(_PREFIX + "execution.noresponse",
                            "The code handles its own return, but it and the tasks it started ended without sending a final response.", []))


def _task_done(query, task):
    query.pending.discard(task)
    e = None if task.cancelled() else task.exception()  # retrieved, so asyncio does not log it as lost
    if query.answered.done():
        return
    if e is not None:
        query.finish(_error(_PREFIX + "execution.exception", "Executing code raised exception: {0} :: {1}",
                            [type(e).__name__, "".join(traceback.format_exception(type(e), e, e.__traceback__))]))
        return
    _watch(query)


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
