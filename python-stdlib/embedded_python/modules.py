"""The one way the host and its adapters load user code: a ``.py`` file, or a module or package of a folder.

Every adapter loads the user's Python through these functions, so that hot reload, name clashes between
two folders and the error a user sees when something is missing behave the same everywhere.
"""

import importlib
import os
import sys
import types

__all__ = ["LoadError", "load_file", "import_from", "forget", "require_callable", "first_on_path"]


class LoadError(Exception):
    """User code could not be loaded, or lacks what the host needs from it; the message names the file or
    module and what was wrong."""


# path -> (stamp, module) of load_file.
_files = {}


def load_file(path, *, name=None, reload="changed"):
    """Loads the ``.py`` file at ``path`` as module ``name`` (default: the file's stem), registered in
    ``sys.modules`` with its folder first on ``sys.path`` so that its siblings import.

    It is compiled from its source, never from importlib's bytecode cache, whose second-resolution stamps
    miss an edit made within the same second. ``reload`` says when a loaded file is loaded again:
    ``"changed"`` when its (mtime in ns, size) differ (restoring an older copy counts too), ``"always"``,
    or ``"never"``.
    """
    path = os.path.abspath(path)
    if not path.endswith(".py") or not os.path.isfile(path):
        raise LoadError(f"{path} is not an existing .py file")
    stamp = _stamp(path)
    cached = _files.get(path)
    if cached is not None and (reload == "never" or (reload == "changed" and cached[0] == stamp)):
        return cached[1]
    name = name or os.path.splitext(os.path.basename(path))[0]
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec")
    _front_of_path(os.path.dirname(path))
    module = types.ModuleType(name)
    module.__file__ = path
    module.__loader__ = None
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        # A half-run module is not left behind for the next import to find.
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
        raise
    _files[path] = (stamp, module)
    return module


def import_from(folder, name, *, fresh=False):
    """Imports module or package ``name`` with ``folder`` first on ``sys.path``.

    A module of that name already imported from another place (another folder served by this process) is
    forgotten first, with its submodules, so that it cannot shadow this one. ``fresh=True`` also forgets
    every module loaded from ``folder`` (a new session of the same code) and clears importlib's caches.
    """
    folder = os.path.abspath(folder)
    if not os.path.isdir(folder):
        raise LoadError(f"{folder} is not a folder (looking for module '{name}')")
    if fresh:
        forget(folder)
        importlib.invalidate_caches()
    _front_of_path(folder)
    _forget_if_elsewhere(name, folder)
    return importlib.import_module(name)


def forget(folder):
    """Drops from ``sys.modules`` every module whose file lies under ``folder``; the next import loads it
    afresh."""
    prefix = os.path.realpath(folder) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and os.path.realpath(path).startswith(prefix):
            del sys.modules[name]
    for path in [p for p in _files if os.path.realpath(p).startswith(prefix)]:
        del _files[path]


def require_callable(module, attribute, signature=None):
    """Returns ``module.attribute`` when it is callable, otherwise raises LoadError naming the module, its
    file and what was expected (``signature``, e.g. ``"handle(operation, arg)"``)."""
    candidate = getattr(module, attribute, None)
    if callable(candidate):
        return candidate
    where = getattr(module, "__file__", None)
    origin = f" ({where})" if where else ""
    wanted = signature or f"{attribute}(...)"
    found = "nothing of that name" if candidate is None else f"a {type(candidate).__name__}"
    raise LoadError(f"module '{module.__name__}'{origin} has no function {wanted}: found {found}")


def first_on_path(entry):
    """Puts ``entry`` first on ``sys.path`` (and nowhere else), as ``load_file`` and ``import_from`` do with
    their folders: for the search paths a host adds beside the user's code (a virtual environment's
    site-packages, extra folders)."""
    _front_of_path(entry)


def _stamp(path):
    status = os.stat(path)
    return (status.st_mtime_ns, status.st_size)


def _front_of_path(entry):
    while entry in sys.path:
        sys.path.remove(entry)
    sys.path.insert(0, entry)


def _forget_if_elsewhere(name, folder):
    top = name.partition(".")[0]
    loaded = sys.modules.get(top)
    if loaded is None:
        return
    origin = getattr(loaded, "__file__", None)
    if origin and os.path.realpath(origin).startswith(os.path.realpath(folder) + os.sep):
        return
    if origin is None and getattr(loaded, "__path__", None) is None:
        return  # a built-in module: never shadowed by user code, never dropped
    for module in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
        del sys.modules[module]
