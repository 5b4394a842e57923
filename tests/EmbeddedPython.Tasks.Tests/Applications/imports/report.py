# Prints how imports behave; the tests compare this task's output with `python3 report.py` run from this folder.
import importlib
import json
import sys

from package.module2 import module2_print
import package.module2
import regular
from regular import a as regular_a
from regular.sub import deep
import nested.inner.leaf
import counter


def describe(module):
    spec = module.__spec__
    locations = spec.submodule_search_locations
    return {
        "__name__": module.__name__,
        "__package__": module.__package__,
        "__file__": getattr(module, "__file__", "<missing>"),
        "__path__": list(module.__path__) if hasattr(module, "__path__") else "<missing>",
        "__cached__": getattr(module, "__cached__", "<missing>"),
        "spec.name": spec.name,
        "spec.parent": spec.parent,
        "spec.origin": spec.origin,
        "spec.has_location": spec.has_location,
        "spec.submodule_search_locations": None if locations is None else list(locations),
    }


module2_print()
report = {"__main__": [__name__, __package__, repr(__spec__), __file__]}
for module in (package, package.module2, regular, regular_a, regular.b, regular.sub, deep,
               nested, nested.inner, nested.inner.leaf, counter):
    report[module.__name__] = describe(module)
report["values"] = [regular.value_from_init, regular_a.value_from_b, deep.parent_value, nested.inner.leaf.leaf]
report["import_module"] = [
    importlib.import_module("regular.a") is regular_a,
    importlib.import_module(".b", "regular") is regular.b,
    importlib.import_module("package.module2") is package.module2,
    importlib.import_module("nested.inner.sibling").name,
    __import__("regular.sub.deep", fromlist=["x"]) is deep,
    __import__("regular.sub") is regular,
]
before = counter.loads
reloaded = importlib.reload(counter)
report["reload"] = [before, counter.loads, reloaded is counter, importlib.reload(package.module2) is package.module2]
try:
    import package.nope
except ModuleNotFoundError as e:
    report["missing module"] = [str(e), e.name]
try:
    from regular import nope
except ImportError as e:
    report["missing name"] = [type(e).__name__, str(e)]
try:
    importlib.import_module("regular.nope")
except ModuleNotFoundError as e:
    report["import_module missing"] = [str(e), e.name]
for line in json.dumps(report, indent=1, sort_keys=True).splitlines():
    print(line)
