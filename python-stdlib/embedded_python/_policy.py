"""What a PythonPolicy always lets code read: the interpreter's own files, so that imports keep working."""

import site
import sys
import sysconfig


def interpreter_folders():
    """The interpreter's prefixes and library folders, site-packages, and every sys.path entry at start
    (the shipped python-stdlib, the executor's search paths and a virtual environment's packages among them)."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    folders.update(path for path in sysconfig.get_paths().values() if path)
    folders.update(getattr(site, "getsitepackages", lambda: [])())
    folders.update(path for path in sys.path if path)
    return sorted(folders)
