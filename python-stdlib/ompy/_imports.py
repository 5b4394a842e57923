"""Local imports of an application, isolated per task, behaving as in ``python script.py`` run from the
application folder.

A script's ``import module1`` (or ``from package.module2 import g``) must find the sibling files of its
application folder, as if that folder were first on sys.path, but two applications (and two tasks of one
application: in the original each task is its own process) must never share those modules.

So a task's modules are kept in sys.modules under a package private to the task,
``__ompy_tasks__.t<pid>.<name>``, while the modules themselves carry their plain names: ``__name__``,
``__package__``, ``__spec__``, ``__file__`` and ``__path__`` are those plain Python gives them. Finding is
the standard machinery: a ``FileFinder`` per folder of the application (``.py`` and ``.py3`` sources),
so regular packages, plain modules and namespace packages (folders without ``__init__.py``) win in
Python's order. What maps a plain name to the task's private one:

- import statements (absolute and relative) and ``__import__`` calls: the task's own builtins, whose
  ``__import__`` is ``task_import``; the task's modules run with the same builtins;
- ``importlib.import_module`` and ``importlib.reload``: wrapped to do the same when called from a task's
  code (known by its builtins), unchanged for everyone else.

Deliberate differences: ``sys.modules`` holds a task's modules under their private names; no bytecode
cache is written (the application folder is read-only for tasks).
"""

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
import weakref

ROOT = "__ompy_tasks__"
SOURCE_SUFFIXES = [".py", ".py3"]
_real_import = builtins.__import__
_real_import_module = importlib.import_module
_real_reload = importlib.reload
_owners = {}  # task package name -> task
_private_specs = weakref.WeakKeyDictionary()  # a task's module -> its spec under the private name


def prefix_for(pid):
    return f"{ROOT}.t{pid.replace('-', '')}"


def install():
    root = types.ModuleType(ROOT, "Private packages of running application tasks.")
    root.__path__ = []
    sys.modules[ROOT] = root
    sys.meta_path.insert(0, _ApplicationFinder())
    importlib.import_module = _import_module
    importlib.reload = _reload


def task_builtins(task):
    """A builtins dict for the task's code: the real one, with an application-aware __import__."""
    _owners[task.module_prefix] = task
    local_names = {}

    def is_local(top):
        found = local_names.get(top)
        if found is None:
            found = local_names[top] = _is_application_module(task.app_path, top)
        return found

    def task_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level > 0:
            package = _package_of(globals)
            if package and is_local(package.partition(".")[0]):
                return _import_local(task, importlib.util.resolve_name("." * level + name, package), fromlist)
        elif name and is_local(name.partition(".")[0]):
            return _import_local(task, name, fromlist)
        return _real_import(name, globals, locals, fromlist, level)

    task_import.ompy_task = task
    task_import.ompy_is_local = is_local
    own = dict(builtins.__dict__)
    own["__import__"] = task_import
    return own


def _is_application_module(folder, top):
    """Whether plain Python run from `folder` would import `top` from there: built-in modules come first,
    and a namespace package only when no regular module of that name exists elsewhere on sys.path."""
    if top in sys.builtin_module_names:
        return False
    found = _finder(folder).find_spec(top)
    if found is None:
        return False
    if found.loader is not None:
        return True
    elsewhere = importlib.machinery.PathFinder.find_spec(top)
    return elsewhere is None or elsewhere.origin is None


def forget(task):
    """Drops the task's modules once it has ended."""
    _owners.pop(task.module_prefix, None)
    prefix = task.module_prefix
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        sys.modules.pop(name, None)


def _package_of(globals):
    """The package a relative import is relative to, as the import system computes it."""
    if not globals:
        return None
    package = globals.get("__package__")
    if package is None and globals.get("__spec__") is not None:
        package = globals["__spec__"].parent
    return package


def _import_local(task, name, fromlist):
    """``__import__`` of an application module by its plain name: the module for a from-import, else
    the top-level package it belongs to."""
    module = _load(task, name)
    if not fromlist:
        return _load(task, name.partition(".")[0])
    if hasattr(module, "__path__"):
        names = list(fromlist)
        if "*" in names:
            names.remove("*")
            names.extend(getattr(module, "__all__", ()))
        for child in names:
            if not hasattr(module, child):
                # As the import system's from-list handling: a missing submodule is left to the
                # from-import itself, which reports "cannot import name".
                try:
                    _load(task, f"{name}.{child}")
                except ModuleNotFoundError as error:
                    if error.name != f"{name}.{child}":
                        raise
    return module


def _load(task, name):
    try:
        return _real_import_module(f"{task.module_prefix}.{name}")
    except ModuleNotFoundError as error:
        private = error.name or ""
        if not private.startswith(task.module_prefix + "."):
            raise
        plain = private[len(task.module_prefix) + 1:]
        raise ModuleNotFoundError(f"No module named {plain!r}", name=plain) from None


def _calling_task(depth=2):
    """The task whose code called (its frames run with the task's builtins), or None."""
    try:
        task_import = sys._getframe(depth).f_builtins.get("__import__")
    except ValueError:
        return None, None  # called from native code, with no Python caller
    return getattr(task_import, "ompy_task", None), task_import


def _import_module(name, package=None):
    task, task_import = _calling_task()
    if task is not None:
        absolute = importlib.util.resolve_name(name, package) if name.startswith(".") and package else name
        if not absolute.startswith(".") and task_import.ompy_is_local(absolute.partition(".")[0]):
            return _load(task, absolute)
    return _real_import_module(name, package)


_import_module.__doc__ = _real_import_module.__doc__


def _reload(module):
    private = _private_specs.get(module)
    if private is None:
        return _real_reload(module)
    # The import system reloads by the name in __spec__: the private one, until the loader runs the
    # module's code again under its plain names.
    plain = module.__spec__
    module.__spec__ = private
    try:
        return _real_reload(module)
    finally:
        if module.__spec__ is private:
            module.__spec__ = plain


_reload.__doc__ = _real_reload.__doc__

_finders = {}  # folder -> FileFinder of the application's sources there


def _finder(folder):
    finder = _finders.get(folder)
    if finder is None:
        finder = _finders[folder] = importlib.machinery.FileFinder(folder, (_ApplicationLoader, SOURCE_SUFFIXES))
    return finder


class _ApplicationFinder(importlib.abc.MetaPathFinder):
    """Finds ``__ompy_tasks__.t<pid>[.a.b]`` in the application folder of task <pid>."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(ROOT + "."):
            return None
        parts = fullname.split(".")
        prefix = ".".join(parts[:2])
        task = _owners.get(prefix)
        if task is None:
            return None
        if len(parts) == 2:
            spec = importlib.machinery.ModuleSpec(fullname, _TaskPackageLoader(), is_package=True)
            spec.submodule_search_locations = [task.app_path]
            return spec
        plain = ".".join(parts[2:])
        parent = sys.modules.get(fullname.rpartition(".")[0])
        folders = [task.app_path] if len(parts) == 3 else list(getattr(parent, "__path__", None) or [])
        # As PathFinder: the first regular module or package wins; otherwise the folders without
        # __init__ found on the way are the portions of a namespace package.
        found, portions = None, []
        for folder in folders:
            found = _finder(folder).find_spec(plain)
            if found is not None and found.loader is not None:
                break
            if found is not None:
                portions.extend(found.submodule_search_locations)
            found = None
        if found is None:
            if not portions:
                return None
            namespace = importlib.machinery.ModuleSpec(plain, None, is_package=True)
            namespace.submodule_search_locations = portions
            spec = importlib.machinery.ModuleSpec(fullname, _NamespaceLoader(namespace, task), is_package=True)
            spec.submodule_search_locations = list(portions)
            return spec
        return importlib.util.spec_from_file_location(
            fullname, found.origin, loader=_ApplicationLoader(fullname, found.origin, task, found),
            submodule_search_locations=found.submodule_search_locations)


def _present_plainly(module, private, plain, task):
    """Gives a module of the task the names plain Python gives it; remembers the private spec."""
    _private_specs[module] = private
    module.__name__ = plain.name
    module.__spec__ = plain
    module.__package__ = plain.parent
    module.__dict__["__builtins__"] = task.builtins


class _TaskPackageLoader(importlib.abc.Loader):
    """The task's private root package: empty, its path is the application folder."""

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        pass


class _NamespaceLoader(importlib.abc.Loader):
    """A namespace package of the application, named as plain Python names it."""

    def __init__(self, plain_spec, task):
        self._plain, self._task = plain_spec, task

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        _present_plainly(module, module.__spec__, self._plain, self._task)
        module.__file__ = None


class _ApplicationLoader(importlib.machinery.SourceFileLoader):
    """Loads an application module with the task's builtins, so its own imports stay in the application,
    under the names plain Python gives it. Writes no bytecode cache: the application folder is read-only
    for tasks. (FileFinder creates it with a plain name to describe a file; only the finder above loads.)"""

    def __init__(self, fullname, path, task=None, plain_spec=None):
        super().__init__(fullname, path)
        self._task, self._plain = task, plain_spec

    def exec_module(self, module):
        _present_plainly(module, module.__spec__, self._plain, self._task)
        # The base class would look the code up by the module's (now plain) name.
        exec(self.get_code(self.name), module.__dict__)

    def set_data(self, path, data, *, _mode=0o666):
        pass
