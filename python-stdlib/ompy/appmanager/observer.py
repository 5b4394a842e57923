"""Messages the host addresses to a task. The original guide imports ``read_json_from_observer`` without
describing it; here it returns the next JSON message the .NET host posted to this task
(``IPythonTaskHost.PostAsync``), already decoded."""

from .._tasks import require_task

__all__ = ["read_json_from_observer"]


def read_json_from_observer(timeout=None):
    """The next message posted to this task, as a Python value. Blocks until one arrives; raises
    TimeoutError when ``timeout`` seconds pass first."""
    return require_task().read_observer(timeout)
