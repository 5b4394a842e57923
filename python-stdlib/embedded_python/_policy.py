"""The Python half of PythonPolicy: the folders a policy always lets code read (the interpreter's own, so that
imports keep working), and auditing of thread creation where CPython does not audit it."""

import _thread
import site
import sys
import sysconfig
import threading


def interpreter_folders():
    """The interpreter's prefixes and library folders, site-packages, and every sys.path entry at start
    (the shipped python-stdlib, the executor's search paths and a virtual environment's packages among them)."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    folders.update(path for path in sysconfig.get_paths().values() if path)
    folders.update(getattr(site, "getsitepackages", lambda: [])())
    folders.update(path for path in sys.path if path)
    return sorted(folders)


def start():
    """Called once by the host at start: makes thread creation audited where CPython does not audit it
    (before 3.12), so that a request with a policy cannot start a thread that would run outside it, and
    returns the interpreter's folders."""
    if sys.version_info < (3, 12):
        real_start = _thread.start_new_thread

        def start_new_thread(function, args, kwargs=None):
            sys.audit("_thread.start_new_thread", function, args, kwargs)
            return real_start(function, args, {} if kwargs is None else kwargs)

        start_new_thread.__doc__ = real_start.__doc__
        # threading keeps its own reference, taken when it was imported.
        _thread.start_new_thread = _thread.start_new = threading._start_new_thread = start_new_thread
    return interpreter_folders()
