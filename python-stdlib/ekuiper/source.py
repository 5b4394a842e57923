from abc import ABC, abstractmethod

from ekuiper.runtime.context import Context


class Source(ABC):
    """A source symbol: ``open`` loops, emitting tuples through ``ctx.emit``, until ``close`` makes it return."""

    @abstractmethod
    def configure(self, datasource: str, conf: dict):
        """Receives the stream's datasource and the merged source properties before ``open``."""

    @abstractmethod
    def open(self, ctx: Context):
        """Runs on the source's own thread for as long as the rule runs."""

    @abstractmethod
    def close(self, ctx: Context):
        """Called when the rule stops; must make ``open`` return."""
