from abc import ABC, abstractmethod
from typing import Any, List

from ekuiper.runtime.context import Context


class Function(ABC):
    """A function symbol, shared by every rule that calls it."""

    @abstractmethod
    def validate(self, args: List[Any]) -> str:
        """Checks the SQL arguments (eKuiper AST nodes) at rule creation; an empty string means valid."""

    @abstractmethod
    def exec(self, args: List[Any], ctx: Context) -> Any:
        """Computes the result of one call."""

    @abstractmethod
    def is_aggregate(self) -> bool:
        """True when each argument arrives as the list of values of a group."""
