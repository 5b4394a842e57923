import threading

from ekuiper import Sink, Source


class Counter(Source):
    """Emits conf["count"] tuples {"seq": i} as fast as eKuiper takes them, then waits for close."""

    def configure(self, datasource, conf):
        self.count = conf["count"]
        self.closed = threading.Event()

    def open(self, ctx):
        for seq in range(self.count):
            ctx.emit({"seq": seq}, None)
        self.closed.wait()

    def close(self, ctx):
        self.closed.set()


class Acker(Sink):
    """Acknowledges every message (eKuiper, with requireAck, sends the next one only after the ack)."""

    def configure(self, conf):
        pass

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        ctx.ack_ok()

    def close(self, ctx):
        pass
