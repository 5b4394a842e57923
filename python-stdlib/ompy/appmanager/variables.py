"""Task variables. ``TASK_PARAMS`` is resolved per task: every task (and every thread it starts) sees its
own dict, although all tasks share this one module."""

from .._tasks import require_task


def __getattr__(name):
    # PEP 562: `from ompy.appmanager.variables import TASK_PARAMS` lands here, in the importing task's thread.
    if name == "TASK_PARAMS":
        return require_task().params
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
