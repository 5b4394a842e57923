import time

from ekuiper import Source, Sink

received = []
emitted = 0


class Counter(Source):
    def configure(self, datasource, conf):
        self.count = conf["count"]
        self.pad = conf.get("pad", 0)
        self.running = True

    def open(self, ctx):
        global emitted
        emitted = 0
        for seq in range(self.count):
            ctx.emit({"seq": seq, "pad": "x" * self.pad} if self.pad else {"seq": seq}, None)
            emitted += 1
        while self.running:
            time.sleep(0.05)

    def close(self, ctx):
        self.running = False


class Collector(Sink):
    def configure(self, conf):
        received.clear()

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        received.append(data)
        ctx.ack_ok()

    def close(self, ctx):
        pass
