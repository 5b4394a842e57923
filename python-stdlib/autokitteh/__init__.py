"""A minimal autokitteh SDK for code run by EmbeddedPython's autokitteh runner.

It offers what handlers import most (Event, AttrDict, AutoKittehError, the activity markers) and the
functions that become HandlerService calls while a session runs. Outside a session they raise.
"""

import json
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from . import _bindings, connections  # noqa: F401 - connections is part of the SDK's surface


class AutoKittehError(Exception):
    """A call to the autokitteh worker failed."""


class AttrDict(dict):
    """A dict whose keys read as attributes, nested dicts included."""

    def __getattr__(self, name):
        try:
            return _wrap(self[name])
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key):
        return _wrap(dict.__getitem__(self, key))

    def __setattr__(self, name, value):
        self[name] = value


def _wrap(value):
    return AttrDict(value) if isinstance(value, dict) and not isinstance(value, AttrDict) else value


@dataclass
class Event:
    """The event a session starts with."""

    data: AttrDict = field(default_factory=AttrDict)
    event_type: "str | None" = None
    event_id: "str | None" = None


def activity(fn):
    """Marks a function to run as one activity in durable sessions."""
    fn.__ak_activity__ = True
    return fn


def inhibit_activities(fn):
    """Marks a function whose calls never become activities."""
    fn.__ak_inhibit_activities__ = True
    return fn


def register_no_activity(items):
    """Registers callables that never become activities."""
    _bindings.no_activity.update(id(i) for i in items)


def sleep(seconds):
    _bindings.call("sleep", int(seconds * 1000))


def subscribe(source, filter=""):  # noqa: A002 - autokitteh's parameter name
    return _bindings.call("subscribe", source, filter)


def next_event(subscription_id, *, timeout=None):
    ids = [subscription_id] if isinstance(subscription_id, str) else list(subscription_id)
    data = _bindings.call("next_event", ids, _milliseconds(timeout))
    return _wrap(json.loads(data)) if data else None


def unsubscribe(subscription_id):
    _bindings.call("unsubscribe", subscription_id)


def start(loc, data=None, memo=None, project=""):
    # The worker takes data and memo as JSON text.
    return _bindings.call("start", loc, json.dumps(data or {}, default=str), json.dumps(memo or {}, default=str), project)


@dataclass
class Signal:
    """A signal another session sent."""

    name: str
    payload: object = None


def signal(session_id, name, payload=None):
    _bindings.call("signal", session_id, name, payload)


def next_signal(name, *, timeout=None):
    names = [name] if isinstance(name, str) else list(name)
    got = _bindings.call("next_signal", names, _milliseconds(timeout))
    if not got or not got.get("name"):
        return None
    return Signal(got["name"], _wrap(got.get("payload")))


def mutate_value(key, op, *args):
    return _wrap(_bindings.call("store", key, str(op), list(args)))


def check_and_set_value(key, expected_value, new_value):
    return _bindings.call("store", key, "check_and_set", [new_value, expected_value])


def publish_value(key):
    _bindings.call("store_publish", key)


def get_value(key):
    return _wrap(_bindings.call("store", key, "get", []))


def set_value(key, value):
    return _bindings.call("store", key, "set", [value])


def del_value(key):
    return _bindings.call("store", key, "del", [])


def add_values(key, value):
    return _bindings.call("store", key, "add", [value])


def list_values_keys():
    return _bindings.call("store_list")


class Store(MutableMapping):
    """The project's key/value store as a dict."""

    def __getitem__(self, key):
        return get_value(key)

    def __setitem__(self, key, value):
        set_value(key, value)

    def __delitem__(self, key):
        del_value(key)

    def __iter__(self):
        return iter(list_values_keys())

    def __len__(self):
        return len(list_values_keys())


store = Store()


def outcome(value):
    _bindings.call("outcome", value)


def http_outcome(status_code=200, body=None, json=None, headers=None, more=False):  # noqa: A002 - SDK names
    """Answers the HTTP request that started the session (or sends more of the answer)."""
    if body is not None and json is not None:
        raise ValueError("http_outcome takes body or json, not both")
    value = {"status_code": status_code, "headers": dict(headers or {}), "more": more}
    if json is not None:
        value["json"] = json
    elif body is not None:
        value["body"] = body
    outcome(value)


def _milliseconds(timeout):
    if timeout is None:
        return 0
    seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
    return int(seconds * 1000)
