"""The JSON-lines worker baseline: what a user builds when Python runs in a helper process.

One request per line on stdin, one response per line on stdout. Like the executor, it caches compiled
code (here keyed by source text, least recently used out after 256), gives each request fresh globals
and returns the names it is asked for. Bytes travel as {"$bytes": base64}; tuples become lists.
Streaming requests call emit(value) and get one line per message, then a final line.
"""

import base64
import builtins
import collections
import json
import sys

_cache = collections.OrderedDict()
_CACHE_SIZE = 256


def _decode(value):
    if isinstance(value, dict):
        if len(value) == 1 and "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _encode(value):
    # json.dumps calls this only for what it cannot write itself.
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot send {type(value).__name__}")


def _compiled(source):
    code = _cache.get(source)
    if code is None:
        code = compile(source, "<request>", "exec")
        _cache[source] = code
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(source)
    return code


def _serve():
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        request_id = request["id"]
        try:
            scope = {"__builtins__": builtins}
            if "presets" in request:
                scope.update(_decode(request["presets"]))
            if request.get("stream"):
                def emit(value, _id=request_id):
                    out.write(json.dumps({"id": _id, "message": value}, default=_encode))
                    out.write("\n")
                scope["emit"] = emit
            exec(_compiled(request["code"]), scope)
            names = request.get("returns")
            if names is None:
                names = [n for n in scope if not n.startswith("__") and n != "emit"]
            response = {"id": request_id, "values": {n: scope[n] for n in names if n in scope}}
        except Exception as error:  # the request fails, the worker carries on
            response = {"id": request_id, "error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(response, default=_encode))
        out.write("\n")
        out.flush()


if __name__ == "__main__":
    _serve()
