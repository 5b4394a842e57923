"""Exceptions made fit to cross processes, as autokitteh's runner makes them."""

import inspect
import pickle

_stand_ins = {}


def complete_args(err):
    """Appends constructor arguments that were not passed on to Exception.__init__ to ``args``, so the
    repr names them and the exception can be rebuilt from its args."""
    init = type(err).__init__
    if init is BaseException.__init__ or not inspect.isfunction(init):
        return
    try:
        parameters = list(inspect.signature(init).parameters.values())[1:]
    except (TypeError, ValueError):
        return
    named = [p.name for p in parameters
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    extra = [getattr(err, n) for n in named[len(err.args):] if hasattr(err, n)]
    if extra:
        err.args = tuple(err.args) + tuple(extra)


def picklable(err):
    """The exception itself when it survives pickling, else a stand-in of a subclass of its class (so
    ``except Original`` still catches it) whose attributes that cannot be pickled are None."""
    complete_args(err)
    if _pickles(err, round_trip=True):
        return err
    args = tuple(a if _pickles(a) else repr(a) for a in err.args)
    state = {k: (v if _pickles(v) else None) for k, v in vars(err).items()}
    return _rebuild(type(err), args, state)


def _pickles(value, round_trip=False):
    try:
        data = pickle.dumps(value)
        if round_trip:
            pickle.loads(data)
        return True
    except Exception:  # noqa: BLE001 - any failure means "does not pickle"
        return False


def _rebuild(original, args, state):
    error = _stand_in_type(original)(*args)
    error.__dict__.update(state)
    return error


def _stand_in_type(original):
    stand_in = _stand_ins.get(original)
    if stand_in is None:
        stand_in = type(original.__name__, (original,), {
            "__init__": lambda self, *args, **kwargs: BaseException.__init__(self, *args),
            "__reduce__": lambda self: (_rebuild, (original, self.args, dict(vars(self)))),
            "__module__": original.__module__,
            "__qualname__": original.__qualname__,
        })
        _stand_ins[original] = stand_in
    return stand_in
