"""Host API of EmbeddedPython: what Python code running inside a .NET process can call.

Code that handles its own return (``CodeHandlesReturn`` / ``StreamAsync``) sends results with
``emit(value)``, ends its request with ``complete(value=None)`` or ``fail(error)``. ``current_request()``
returns a handle with the same methods, for asyncio tasks or threads that report later.
``MemoryBudget(limit)`` limits the Python allocations of the threads that enter it.
"""

from ._memory import MemoryBudget
from ._runtime import COMPLETE, EMIT, FAIL, Interrupted, RequestHandle, current_request, send_current

__all__ = ["emit", "complete", "fail", "current_request", "RequestHandle", "Interrupted", "MemoryBudget"]


def emit(value):
    """Sends one partial result of the current request."""
    send_current(EMIT, value)


def complete(value=None):
    """Ends the current request; ``value`` (if not None) is its last message."""
    send_current(COMPLETE, value)


def fail(error):
    """Ends the current request with an error: a message string or a dict (Vantiq's error shape)."""
    send_current(FAIL, error)
