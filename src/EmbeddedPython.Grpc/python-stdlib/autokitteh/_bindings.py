"""Where the runner plugs in its HandlerService calls while a session runs."""

import itertools
import threading

# Set by the runner: syscall(name, args, key) -> {"value": v} or {"error": text} when key is None;
# with a key it returns at once and the answer arrives later through resolve(key, answer).
syscall = None
no_activity = set()

_waiting = {}
_keys = itertools.count(1)


class _Waiter:
    __slots__ = ("answered", "answer")

    def __init__(self):
        self.answered = threading.Event()
        self.answer = None


def call(name, *args):
    if syscall is None:
        raise RuntimeError(f"autokitteh.{name} works only inside an autokitteh session")
    if threading.current_thread() is threading.main_thread():
        # The interpreter's own thread (module-level code) cannot wait for a later request: block there.
        answer = syscall(name, list(args), None)
    else:
        # Handler threads wait without holding the GIL, so the interpreter keeps serving meanwhile.
        key, waiter = next(_keys), _Waiter()
        _waiting[key] = waiter
        syscall(name, list(args), key)
        waiter.answered.wait()
        answer = waiter.answer
    if answer.get("error"):
        from . import AutoKittehError

        raise AutoKittehError(f"{name}: {answer['error']}")
    return answer.get("value")


def resolve(key, answer):
    """The runner's answer to a call made with a key."""
    waiter = _waiting.pop(key, None)
    if waiter is not None:
        waiter.answer = answer
        waiter.answered.set()
