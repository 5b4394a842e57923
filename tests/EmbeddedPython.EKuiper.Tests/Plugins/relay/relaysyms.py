import threading
import time

from ekuiper import Source, Sink

received = []
all_received = threading.Event()
expected = 0


class Counter(Source):
    def configure(self, datasource, conf):
        self.count = conf["count"]
        self.running = True

    def open(self, ctx):
        for seq in range(self.count):
            ctx.emit({"seq": seq}, None)
        while self.running:
            time.sleep(0.05)

    def close(self, ctx):
        self.running = False


class Collector(Sink):
    def configure(self, conf):
        global expected
        expected = conf.get("expect", 0)
        received.clear()
        all_received.clear()

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        received.append(data)
        ctx.ack_ok()
        if len(received) == expected:
            all_received.set()

    def close(self, ctx):
        pass
