"""Where the runner plugs in its HandlerService calls while a session runs."""

# Set by the runner for the session: syscall(name, args) -> {"value": v} or {"error": text}. It waits for the
# worker's answer without holding the GIL, so the interpreter keeps serving meanwhile.
syscall = None
no_activity = set()


def call(name, *args):
    if syscall is None:
        raise RuntimeError(f"autokitteh.{name} works only inside an autokitteh session")
    answer = syscall(name, list(args))
    if answer.get("error"):
        from . import AutoKittehError

        raise AutoKittehError(f"{name}: {answer['error']}")
    return answer.get("value")
