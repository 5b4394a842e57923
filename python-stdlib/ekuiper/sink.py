from abc import ABC, abstractmethod
from typing import Any

from ekuiper.runtime.context import Context


class Sink(ABC):
    """A sink symbol: ``collect`` receives each message eKuiper sends, as the encoded bytes."""

    @abstractmethod
    def configure(self, conf: dict):
        """Receives the rule action's properties."""

    @abstractmethod
    def open(self, ctx: Context):
        """Called once on the sink's thread before the first ``collect``."""

    @abstractmethod
    def collect(self, ctx: Context, data: Any):
        """Receives one message (bytes); acknowledge it with ``ctx.ack_ok()`` / ``ctx.ack_error(msg)``."""

    @abstractmethod
    def close(self, ctx: Context):
        """Called when the rule stops."""
