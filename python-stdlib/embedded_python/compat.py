"""Names that code written for another host expects to find, kept here so that the rest of the host (its C#
included) knows no other product.

Vantiq's Python Execution Connector: every request's globals hold ``connector_connection`` (its calls
``send_query_response(context, code, message)`` and ``send_query_error(context, error)``) and
``connector_context`` (the request it answers), and an error may be Vantiq's dict, whose text is its
``messageTemplate``. The host builds each request's globals from ``globals_template()``, sets the names of
``REQUEST_ID_GLOBALS`` to the request's id, and returns none of ``HIDDEN_GLOBALS``.
"""

import builtins

from . import _runtime

CONTEXT = "connector_context"
CONNECTION = "connector_connection"

# Globals set to the id of the request they run in.
REQUEST_ID_GLOBALS = (CONTEXT,)

# Globals the host injects, never returned as results of the code.
HIDDEN_GLOBALS = frozenset((CONTEXT, CONNECTION))

UNCOMPLETED_MESSAGE = ("The request's code and tasks ended without completing it: call embedded_python.complete() "
                       f"(or {CONNECTION}.send_query_response({CONTEXT}, 200, ...)).")


class _Sent:
    """What the connection's calls return: the message is already sent, and awaiting this finishes at once,
    so code written for Vantiq's SDK (where the calls are coroutines) may ``await`` them or not."""

    __slots__ = ()

    def __await__(self):
        return iter(())

    def __repr__(self):
        return "<embedded_python: sent>"


_SENT = _Sent()


class Connection:
    """Vantiq's ``connector_connection``: the same calls as the Python Execution Connector offers."""

    def send_query_response(self, context, code, message=None):
        if code == 100:
            _runtime.send(context, _runtime.EMIT, message)
        elif code in (200, 204):
            _runtime.send(context, _runtime.COMPLETE, message if code == 200 else None)
        else:
            raise ValueError(f"send_query_response: code must be 100, 200 or 204, not {code!r}")
        return _SENT

    def send_query_error(self, context, error):
        _runtime.send(context, _runtime.FAIL, error)
        return _SENT


connection = Connection()


def globals_template():
    """The dict every request's globals start as a copy of."""
    return {"__name__": "__main__", "__builtins__": builtins, CONNECTION: connection}


def failure_message(error):
    """The text of a failure sent by code: a string as it is, Vantiq's error dict by its messageTemplate (or
    message)."""
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        for key in ("messageTemplate", "message"):
            if isinstance(error.get(key), str):
                return error[key]
    if error is None:
        return "The request failed."
    return f"The request failed: {error}"
