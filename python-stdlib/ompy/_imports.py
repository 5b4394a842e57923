"""Local imports of an application, isolated per task.

A script's ``import module1`` (or ``from package.module2 import g``) must find the sibling files of its
application folder, as if that folder were first on sys.path, but two applications (and two tasks of one
application: in the original each task is its own process) must never share those modules. So every task
gets its own builtins whose ``__import__`` maps application names to a package private to the task,
``__ompy_tasks__.t<pid>``, whose modules a meta-path finder loads from the application folder with the
same builtins. Everything else (the standard library, installed packages) is imported and shared as usual.
"""

import builtins
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

ROOT = "__ompy_tasks__"
SOURCE_SUFFIXES = (".py", ".py3")
_real_import = builtins.__import__
_owners = {}  # task package name -> task


def prefix_for(pid):
    return f"{ROOT}.t{pid.replace('-', '')}"


def install():
    root = types.ModuleType(ROOT, "Private packages of running application tasks.")
    root.__path__ = []
    sys.modules[ROOT] = root
    sys.meta_path.insert(0, _ApplicationFinder())


def task_builtins(task):
    """A builtins dict for the task's code: the real one, with an application-aware __import__."""
    _owners[task.module_prefix] = task
    local_names = {}

    def is_local(top):
        found = local_names.get(top)
        if found is None:
            found = local_names[top] = _locate(task.app_path, top) is not None
        return found

    def task_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name and is_local(name.partition(".")[0]):
            module = _real_import(f"{task.module_prefix}.{name}", globals, locals, fromlist, 0)
            if fromlist:
                return module
            # `import a.b` binds `a`: the task's own top-level module, not the private root package.
            return sys.modules[f"{task.module_prefix}.{name.partition('.')[0]}"]
        return _real_import(name, globals, locals, fromlist, level)

    own = dict(builtins.__dict__)
    own["__import__"] = task_import
    return own


def forget(task):
    """Drops the task's modules once it has ended."""
    _owners.pop(task.module_prefix, None)
    prefix = task.module_prefix
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        sys.modules.pop(name, None)


def _locate(folder, name):
    """(file, is_package) of module `name` in `folder`, or None."""
    package = os.path.join(folder, name)
    for suffix in SOURCE_SUFFIXES:
        init = os.path.join(package, "__init__" + suffix)
        if os.path.isfile(init):
            return init, True
    for suffix in SOURCE_SUFFIXES:
        if os.path.isfile(package + suffix):
            return package + suffix, False
    return None


class _ApplicationFinder(importlib.abc.MetaPathFinder):
    """Finds ``__ompy_tasks__.t<pid>[.a.b]`` in the application folder of task <pid>."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(ROOT + "."):
            return None
        parts = fullname.split(".")
        task = _owners.get(".".join(parts[:2]))
        if task is None:
            return None
        if len(parts) == 2:
            spec = importlib.machinery.ModuleSpec(fullname, _TaskPackageLoader(), is_package=True)
            spec.submodule_search_locations = [task.app_path]
            return spec
        found = _locate(os.path.join(task.app_path, *parts[2:-1]), parts[-1])
        if found is None:
            return None
        file, is_package = found
        return importlib.util.spec_from_file_location(
            fullname, file, loader=_ApplicationLoader(fullname, file, task),
            submodule_search_locations=[os.path.dirname(file)] if is_package else None)


class _TaskPackageLoader(importlib.abc.Loader):
    """The task's private root package: empty, its path is the application folder."""

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        pass


class _ApplicationLoader(importlib.machinery.SourceFileLoader):
    """Loads an application module with the task's builtins, so its own imports stay in the application.
    Writes no bytecode cache: the application folder is read-only for tasks."""

    def __init__(self, fullname, path, task):
        super().__init__(fullname, path)
        self._task = task

    def exec_module(self, module):
        module.__dict__["__builtins__"] = self._task.builtins
        super().exec_module(module)

    def set_data(self, path, data, *, _mode=0o666):
        pass
