"""Python values rendered as autokitteh Values, as tagged lists the .NET side turns into protobuf:
["nothing"], ["boolean", b], ["integer", i], ["big_integer", "digits"], ["float", f], ["string", s],
["bytes", b], ["list", [...]], ["set", [...]], ["dict", [[k, v], ...]], ["time", seconds, nanos],
["duration", seconds, nanos], ["struct", ctor, {field: value}]."""

import datetime

_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def to_tagged(value, safe=True):
    """Renders a value; values with no rule give an "__unhandled_type" struct (safe) or TypeError."""
    return _render(value, safe, set())


def _render(value, safe, seen):
    if value is None:
        return ["nothing"]
    if isinstance(value, bool):
        return ["boolean", value]
    if isinstance(value, int):
        return ["integer", value] if _INT64_MIN <= value <= _INT64_MAX else ["big_integer", str(value)]
    if isinstance(value, float):
        return ["float", value]
    if isinstance(value, str):
        return ["string", value]
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value)]
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
        delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return ["time", *_seconds_nanos(delta)]
    if isinstance(value, datetime.timedelta):
        return ["duration", *_seconds_nanos(value)]
    if id(value) in seen:
        return _struct("__recursive_value", {"value": ["string", repr(value)]})
    seen = seen | {id(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return _struct(type(value).__name__, {f: _render(getattr(value, f), safe, seen) for f in value._fields})
    if isinstance(value, (list, tuple)):
        return ["list", [_render(v, safe, seen) for v in value]]
    if isinstance(value, (set, frozenset)):
        return ["set", [_render(v, safe, seen) for v in value]]
    if isinstance(value, dict):
        return ["dict", [[_render(k, safe, seen), _render(v, safe, seen)] for k, v in value.items()]]
    attributes = _public_attributes(value)
    if attributes is not None:
        return _struct(type(value).__name__, {k: _render(v, safe, seen) for k, v in attributes.items()})
    if not safe:
        raise TypeError(f"{type(value)} has no autokitteh value")
    return _struct("__unhandled_type", {"type": ["string", str(type(value))], "repr": ["string", repr(value)]})


def _struct(ctor, fields):
    return ["struct", ["string", ctor], fields]


def _seconds_nanos(delta):
    seconds = delta.days * 86400 + delta.seconds
    return [seconds, delta.microseconds * 1000]


def _public_attributes(value):
    # Functions, classes and modules have a __dict__ too, but they are not data.
    if callable(value) or isinstance(value, type(datetime)):
        return None
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    slots = getattr(type(value), "__slots__", None)
    if slots is not None:
        names = [slots] if isinstance(slots, str) else list(slots)
        return {n: getattr(value, n) for n in names if not n.startswith("_") and hasattr(value, n)}
    return None
