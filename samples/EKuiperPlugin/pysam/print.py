from typing import Any

from ekuiper import Sink, Context


class PrintSink(Sink):
    """Prints what eKuiper sends and acknowledges it."""

    def configure(self, conf: dict):
        print('configure print sink')

    def open(self, ctx: Context):
        print('open print sink: ', ctx)

    def collect(self, ctx: Context, data: Any):
        print('receive: ', data)
        # only needed when the rule's action sets requireAck
        ctx.ack_ok()

    def close(self, ctx: Context):
        print("closing print sink")
