"""Python half of EmbeddedPython's wasmCloud provider.

Loads the user's modules the way the original Python capability provider did (a main module exposing
``main(command, params)``, or just a dispatch module exposing ``handle(command, arg)``), reloads the
dispatch module when its file changes, and runs one invocation per call from .NET. Several providers may
share one interpreter, so all state lives in a ``Provider`` object per provider instance.
"""

import importlib
import inspect
import itertools
import os
import sys
import traceback
import types

__all__ = ["configure", "invoke", "finish", "release"]

_providers = {}
_pending = {}
_pending_ids = itertools.count(1)
_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 64 - 1


class ConfigurationError(Exception):
    """A configured path is unusable; the message names the setting and the path."""


class Provider:
    def __init__(self, main_path, dispatch_path, venv_path, python_path, builtin_reload):
        self.builtin_reload = builtin_reload
        self.main = None
        self.dispatch = None
        self.dispatch_path = None
        self.dispatch_stamp = None
        if venv_path:
            _use_virtual_environment(venv_path)
        if not main_path and not dispatch_path:
            raise ConfigurationError("neither PYTHON_MAIN nor PYTHON_DISPATCH is set: nothing to call")
        if dispatch_path:
            dispatch_path = os.path.abspath(dispatch_path)
            if not os.path.isfile(dispatch_path) or not dispatch_path.endswith(".py"):
                raise ConfigurationError(f"PYTHON_DISPATCH must be an existing .py file: {dispatch_path}")
            self.dispatch_path = dispatch_path
            self.dispatch_stamp = _stamp(dispatch_path)
            _front_of_path(os.path.dirname(dispatch_path))
        if main_path:
            main_path = os.path.abspath(main_path)
            if os.path.isdir(main_path):
                if not os.path.isfile(os.path.join(main_path, "__init__.py")):
                    raise ConfigurationError(f"PYTHON_MAIN is a folder without __init__.py: {main_path}")
                name = os.path.basename(main_path.rstrip(os.sep))
            elif os.path.isfile(main_path) and main_path.endswith(".py"):
                name = os.path.splitext(os.path.basename(main_path))[0]
            else:
                raise ConfigurationError(f"PYTHON_MAIN must be a .py file or a package folder: {main_path}")
            _front_of_path(os.path.dirname(main_path))
            for entry in python_path:
                _front_of_path(entry)
            _forget_other(name, main_path)
            self.main = importlib.import_module(name)
            if not callable(getattr(self.main, "main", None)):
                raise ConfigurationError(f"PYTHON_MAIN module '{name}' has no function main(command, params)")
        else:
            for entry in python_path:
                _front_of_path(entry)
            self.dispatch = _load_source(self.dispatch_path)

    def reload(self):
        if self.main is not None:
            self.main.main("reload", {})
        else:
            self.dispatch = _load_source(self.dispatch_path)
        if self.dispatch_path:
            self.dispatch_stamp = _stamp(self.dispatch_path)

    def reload_if_changed(self):
        # Stamp = (mtime in ns, size): any change counts, not only a newer time, so that restoring an
        # older copy of the file is picked up too.
        if self.dispatch_path is None:
            return
        stamp = _stamp(self.dispatch_path)
        if stamp is not None and stamp != self.dispatch_stamp:
            self.reload()

    def call(self, operation, arg):
        self.reload_if_changed()
        if self.main is not None:
            return self.main.main(operation, {"arg": arg})
        if operation == "reload" and self.builtin_reload:
            self.reload()
            return True
        return self.dispatch.handle(operation, arg)


def configure(key, main_path, dispatch_path, venv_path, python_path, builtin_reload):
    """Creates (or replaces) the provider ``key``; raises ConfigurationError naming a bad setting."""
    _providers[key] = Provider(main_path, dispatch_path, venv_path, list(python_path or []), builtin_reload)


def release(key):
    _providers.pop(key, None)


def invoke(key, operation, arg):
    """Runs one invocation. Returns ("ok", value), ("error", text) with the original provider's error
    text, or ("pending", id) when the handler returned an awaitable: ``finish(id)`` then awaits it."""
    try:
        result = _providers[key].call(operation, arg)
    except Exception as error:
        return ("error", _error_text(error))
    if inspect.isawaitable(result):
        pending = next(_pending_ids)
        _pending[pending] = result
        return ("pending", pending)
    return _checked(result)


async def finish(pending):
    awaitable = _pending.pop(pending)
    try:
        result = await awaitable
    except Exception as error:
        return ("error", _error_text(error))
    return _checked(result)


def _error_text(error):
    # The original's shape: "Exception raised <Class>: <message>", newline, traceback, newline.
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return f"Exception raised {type(error).__name__}: {error}\n{trace}\n"


def _checked(value):
    problem = _unconvertible(value, 0)
    return ("error", "error: " + problem) if problem else ("ok", value)


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


def _load_source(path):
    # Compiled from the source each time, not through importlib's bytecode cache, whose
    # second-resolution timestamps would miss an edit made within the same second.
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec")
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(code, module.__dict__)
    if not callable(getattr(module, "handle", None)):
        raise ConfigurationError(f"PYTHON_DISPATCH module '{name}' ({path}) has no function handle(command, arg)")
    return module


def _front_of_path(entry):
    if entry in sys.path:
        sys.path.remove(entry)
    sys.path.insert(0, entry)


def _forget_other(name, path):
    """A module of the same name imported from another place (another provider in this process) would
    shadow this one: drop it and its submodules from sys.modules."""
    loaded = sys.modules.get(name)
    if loaded is None:
        return
    origin = getattr(loaded, "__file__", None) or ""
    if os.path.abspath(origin) in (path, os.path.join(path, "__init__.py")):
        return
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


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
    _front_of_path(os.path.join(venv, "lib", f"python{wanted}", "site-packages"))
