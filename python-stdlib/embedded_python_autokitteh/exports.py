"""Lists the top-level callables of a file without importing it (autokitteh's RunnerService.Exports)."""

import ast
import os
import traceback


def list_exports(code_dir, file_name):
    """Returns {"exports": [{file, line, name, args}]}, or {"error": text} for an unreadable or invalid file."""
    path = os.path.join(code_dir, file_name)
    try:
        with open(path, encoding="utf-8") as source_file:
            source = source_file.read()
    except OSError:
        return {"error": traceback.format_exc()}
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        return {"error": "".join(traceback.format_exception_only(type(err), err)).strip()}
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append({"file": file_name, "line": node.lineno, "name": node.name, "args": _callable_args(node.args)})
        elif isinstance(node, ast.ClassDef):
            found.append({"file": file_name, "line": node.lineno, "name": node.name, "args": _class_args(node)})
    return {"exports": found}


def _callable_args(arguments):
    # Positional-only, *args and keyword-only parameters are left out, as autokitteh does.
    names = [a.arg for a in arguments.args]
    if arguments.kwarg is not None:
        names.append(arguments.kwarg.arg)
    return names


def _class_args(class_node):
    init = next((n for n in class_node.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__init__"), None)
    if init is None:
        return []
    names = _callable_args(init.args)
    # The first parameter (self) is dropped, unless it was positional-only and so never listed.
    return names[1:] if not init.args.posonlyargs and init.args.args else names
