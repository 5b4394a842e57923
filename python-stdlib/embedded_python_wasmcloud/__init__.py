"""Python half of EmbeddedPython's wasmCloud provider.

``Provider(...)`` loads the user's modules the way the original Python capability provider did (a main
module exposing ``main(command, params)``, or just a dispatch module exposing ``handle(command, arg)``)
through ``embedded_python.modules``; .NET keeps the object as a handle and calls ``invoke`` once per
invocation. Several providers may share one interpreter: each one's state lives in its own object.
"""

import os
import sys
import traceback

from embedded_python import modules

__all__ = ["Provider", "ConfigurationError"]

_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 64 - 1


class ConfigurationError(Exception):
    """A configured path is unusable; the message names the setting and the path."""


class Provider:
    """One provider's loaded modules. ``invoke(operation, arg)`` returns ``(value, None)`` or ``(None, error
    text)``, or, when the handler returned an awaitable, a coroutine that awaits it and returns the same."""

    def __init__(self, main_path, dispatch_path, venv_path, python_path, builtin_reload):
        self._builtin_reload = builtin_reload
        self._main = None
        self._dispatch_path = None
        self._dispatch_stamp = None
        if venv_path:
            _use_virtual_environment(venv_path)
        if not main_path and not dispatch_path:
            raise ConfigurationError("neither PYTHON_MAIN nor PYTHON_DISPATCH is set: nothing to call")
        if dispatch_path:
            dispatch_path = os.path.abspath(dispatch_path)
            if not os.path.isfile(dispatch_path) or not dispatch_path.endswith(".py"):
                raise ConfigurationError(f"PYTHON_DISPATCH must be an existing .py file: {dispatch_path}")
            self._dispatch_path = dispatch_path
        if main_path:
            self._main = _import_main(os.path.abspath(main_path), python_path or [])
        else:
            for entry in python_path or []:
                modules.first_on_path(entry)
            self._handle = self._load_dispatch("changed")
        self._dispatch_stamp = _stamp(dispatch_path) if dispatch_path else None

    def invoke(self, operation, arg):
        try:
            result = self._call(operation, arg)
        except Exception as error:
            return (None, _error_text(error))
        if hasattr(result, "__await__"):
            return _finish(result)
        return _checked(result)

    def _call(self, operation, arg):
        # One stat per invocation (spec §10): a changed (mtime, size) reloads before the call.
        if self._dispatch_path is not None:
            stamp = _stamp(self._dispatch_path)
            if stamp is not None and stamp != self._dispatch_stamp:
                self._reload(stamp)
        if self._main is not None:
            return self._main.main(operation, {"arg": arg})
        if operation == "reload" and self._builtin_reload:
            self._reload(_stamp(self._dispatch_path))
            return True
        return self._handle(operation, arg)

    def _reload(self, stamp):
        # With a main module, it reloads the dispatch module itself, as in the original.
        if self._main is not None:
            self._main.main("reload", {})
        else:
            self._handle = self._load_dispatch("always")
        self._dispatch_stamp = stamp

    def _load_dispatch(self, reload):
        module = modules.load_file(self._dispatch_path, reload=reload)
        return modules.require_callable(module, "handle", "handle(command, arg)")


def _import_main(main_path, python_path):
    if os.path.isdir(main_path):
        if not os.path.isfile(os.path.join(main_path, "__init__.py")):
            raise ConfigurationError(f"PYTHON_MAIN is a folder without __init__.py: {main_path}")
        name = os.path.basename(main_path.rstrip(os.sep))
    elif os.path.isfile(main_path) and main_path.endswith(".py"):
        name = os.path.splitext(os.path.basename(main_path))[0]
    else:
        raise ConfigurationError(f"PYTHON_MAIN must be a .py file or a package folder: {main_path}")
    # As the original: the main module's folder first, then each PYTHON_PATH entry in front of it.
    modules.first_on_path(os.path.dirname(main_path))
    for entry in python_path:
        modules.first_on_path(entry)
    main = modules.import_from(os.path.dirname(main_path), name)
    modules.require_callable(main, "main", "main(command, params)")
    return main


async def _finish(awaitable):
    try:
        result = await awaitable
    except Exception as error:
        return (None, _error_text(error))
    return _checked(result)


def _error_text(error):
    # The original's shape: "Exception raised <Class>: <message>", newline, traceback, newline.
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return f"Exception raised {type(error).__name__}: {error}\n{trace}\n"


def _checked(value):
    problem = _unconvertible(value, 0)
    return (None, "error: " + problem) if problem else (value, None)


def _unconvertible(value, depth):
    """Why the value has no CBOR form (spec §6), or None."""
    if depth > 200:
        return "the result is nested too deeply"
    if value is None or isinstance(value, (bool, float, str, bytes, bytearray)):
        return None
    if isinstance(value, int):
        return None if _INT_MIN <= value <= _INT_MAX else f"integer {value} does not fit in 64 bits"
    if isinstance(value, (list, tuple)):
        return next((p for p in (_unconvertible(v, depth + 1) for v in value) if p), None)
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"dict key {k!r} is not a string"
            problem = _unconvertible(v, depth + 1)
            if problem:
                return problem
        return None
    return f"a result of type '{type(value).__name__}' cannot be sent back (use None, bool, int, float, str, bytes, list or dict)"


def _stamp(path):
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


def _use_virtual_environment(venv):
    venv = os.path.abspath(venv)
    if not os.path.isdir(venv):
        raise ConfigurationError(f"VENV_PATH is not a folder: {venv}")
    settings = {}
    config = os.path.join(venv, "pyvenv.cfg")
    if os.path.isfile(config):
        with open(config, encoding="utf-8") as lines:
            for line in lines:
                key, sep, value = line.partition("=")
                if sep:
                    settings[key.strip()] = value.strip()
    version = settings.get("version") or settings.get("version_info") or ""
    wanted = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version and ".".join(version.split(".")[:2]) != wanted:
        raise ConfigurationError(f"VENV_PATH {venv} was made for Python {version}, but this interpreter is {wanted}")
    if settings.get("include-system-site-packages", "").lower() == "false":
        sys.path[:] = [p for p in sys.path if not p.rstrip(os.sep).endswith(("site-packages", "dist-packages"))]
    modules.first_on_path(os.path.join(venv, "lib", f"python{wanted}", "site-packages"))
