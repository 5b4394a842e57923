"""Child tasks and data exchange between tasks."""

from .._tasks import AmScriptError, TaskSocket, connect_to_task, require_task, run_child

__all__ = ["run_am_script", "wait_for_socket_from_web", "connect_to_task", "AmScriptError", "TaskSocket"]


def run_am_script(script, params=None):
    """Starts executable script ``script`` of this task's application as a child task with the JSON object
    ``params``; returns the child's pid at once. Raises AmScriptError when the script does not exist or is
    not executable."""
    return run_child(script, params)


def wait_for_socket_from_web(timeout=None):
    """Blocks until a peer connects to this task (over ws://127.0.0.1:<port>/<pid>, or in-process through
    ``connect_to_task``) and returns that connection. Raises TimeoutError when ``timeout`` seconds pass."""
    return require_task().accept(timeout)
