"""Memory budgets for threads: the allocations a thread makes while it is inside a budget count against
the budget's limit, and past it they fail with MemoryError at once (the host's allocator hook counts
them; see the core README, "Memory limits"). Requests and calls get theirs from the host; this is for
work that runs in threads of its own, such as application tasks."""

from . import _native


class MemoryBudget:
    """``limit`` bytes of Python allocations, shared by every thread that enters the budget."""

    __slots__ = ("_id", "limit")

    def __init__(self, limit):
        self.limit = int(limit)
        self._id = _native.budget_open(self.limit)

    def enter(self):
        """Charges the calling thread's allocations to this budget until it calls ``leave``."""
        _native.budget_enter(self._id)

    @staticmethod
    def leave():
        """Stops charging the calling thread's allocations to any budget."""
        _native.budget_enter(0)

    @property
    def used(self):
        """Bytes charged now (allocated minus freed while charged, never below zero)."""
        return _native.budget_used(self._id)[0]

    @property
    def exceeded(self):
        """True once an allocation was refused for going over the limit."""
        return _native.budget_used(self._id)[1]

    def close(self):
        """Ends the budget; threads still inside it stop counting."""
        _native.budget_close(self._id)

    def __enter__(self):
        self.enter()
        return self

    def __exit__(self, *exc):
        self.leave()
