"""Calls a function of a file in the server's code directory (PythonExecutor's EntryPoint source)."""

import importlib.util
import inspect
import os
import sys

_loaded = {}


def call(code_dir, file_name, function_name, kwargs):
    """Returns {"result": value} or {"missing": text} when the function does not exist."""
    function = _function(os.path.join(code_dir, file_name), function_name)
    if function is None:
        return {"missing": f"function '{function_name}' not found in {file_name}"}
    result = function(**kwargs)
    if inspect.iscoroutine(result):
        return {"awaitable": result}
    return {"result": result}


def _function(path, function_name):
    module = _module(path)
    candidate = getattr(module, function_name, None)
    return candidate if callable(candidate) else None


def _module(path):
    # Loaded once per version of the file: a changed file is loaded again on its next call.
    version = os.stat(path).st_mtime_ns
    cached = _loaded.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    name = "embedded_python_grpc_entry_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.append(directory)
    spec.loader.exec_module(module)
    _loaded[path] = (version, module)
    return module
