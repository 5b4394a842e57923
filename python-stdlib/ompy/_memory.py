"""How much memory a task holds.

CPython keeps no per-thread allocation count (tracemalloc records where memory was allocated, not by
which thread, and all tasks share one heap), so a task's memory is measured as what it *retains*: the
size (``sys.getsizeof``) of every object reachable from its script's globals, the locals of every frame
on its thread's stack and the modules of its application, each object counted once. Modules, classes
and functions are not followed (they are shared code, not the task's data).

Walking costs time under the GIL, so it only happens when it could matter: when the process's resident
memory has grown since start-up by at least half of the smallest limit being checked (Linux
/proc/self/statm; elsewhere always). A walk stops after ``BUDGET`` objects; the size found so far is
then a lower bound.
"""

import gc
import os
import sys
import types

BUDGET = 2_000_000
_NOT_FOLLOWED = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                 types.CodeType, types.FrameType, types.CellType, types.GetSetDescriptorType,
                 types.MemberDescriptorType, types.WrapperDescriptorType, types.MethodDescriptorType)

_page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_baseline = None


def _rss():
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _page
    except (OSError, ValueError, IndexError):
        return None


def install():
    global _baseline
    _baseline = _rss()


def might_exceed(limit):
    """False only when the process as a whole has not grown enough for any task to be near ``limit``."""
    if _baseline is None:
        return True
    now = _rss()
    return now is None or now - _baseline >= limit // 2


def retained_by(task):
    """(bytes, complete): what the task's objects occupy; complete is False when the budget ran out."""
    roots = []
    if task.globals is not None:
        roots.append(task.globals)
    frames = sys._current_frames()
    for thread in [task.thread, *task.threads]:
        frame = frames.get(thread.ident) if thread is not None else None
        while frame is not None:
            # A frame's locals are the task's data whatever code the frame runs (a json.loads building a
            # big dict is the task's memory too).
            roots.extend(frame.f_locals.values())
            frame = frame.f_back
    prefix = task.module_prefix + "."
    for name, module in list(sys.modules.items()):
        if name.startswith(prefix):
            roots.append(vars(module))

    seen = set()
    total = 0
    stack = roots
    visited = 0
    while stack:
        obj = stack.pop()
        key = id(obj)
        if key in seen or isinstance(obj, _NOT_FOLLOWED):
            continue
        seen.add(key)
        visited += 1
        if visited > BUDGET:
            return total, False
        try:
            total += sys.getsizeof(obj)
        except TypeError:
            continue
        stack.extend(gc.get_referents(obj))
    return total, True
