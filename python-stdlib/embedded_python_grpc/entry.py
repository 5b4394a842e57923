"""Calls a function of a file in the server's code directory (PythonExecutor's EntryPoint source)."""

import os

from embedded_python import modules


def call(code_dir, file_name, function_name, kwargs):
    """Returns what the function returns; the executor awaits a coroutine. A file without that function
    raises ``embedded_python.modules.LoadError``, which the service answers with NOT_FOUND."""
    path = os.path.join(code_dir, file_name)
    # A name of our own, so that an entry file never replaces a module of the same name that user code imports.
    stem = os.path.splitext(os.path.basename(file_name))[0]
    module = modules.load_file(path, name="embedded_python_grpc_entry_" + stem)
    return modules.require_callable(module, function_name, f"{function_name}(**presets)")(**kwargs)
