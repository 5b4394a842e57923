"""A minimal autokitteh SDK for code run by EmbeddedPython's autokitteh runner.

It offers what handlers import most (Event, AttrDict, AutoKittehError, the activity markers) and the
functions that become HandlerService calls while a session runs. Outside a session they raise.
"""

from dataclasses import dataclass, field

from . import _bindings


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
    return _wrap(_bindings.call("next_event", ids, _milliseconds(timeout)))


def unsubscribe(subscription_id):
    _bindings.call("unsubscribe", subscription_id)


def start(loc, data=None, memo=None, project=""):
    return _bindings.call("start", loc, data or {}, memo or {}, project)


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


def outcome(value):
    _bindings.call("outcome", value)


def _milliseconds(timeout):
    if timeout is None:
        return 0
    seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
    return int(seconds * 1000)
