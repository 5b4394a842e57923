# Test plugin with a slow start-up (as heavy imports are): eKuiper's handshake must not wait for it.
import time

from ekuiper import plugin, PluginConfig, Source

time.sleep(4)


class Tick(Source):
    def configure(self, datasource, conf):
        self.running = True

    def open(self, ctx):
        while self.running:
            ctx.emit({"tick": True}, None)
            time.sleep(0.1)

    def close(self, ctx):
        self.running = False


if __name__ == '__main__':
    plugin.start(PluginConfig("slowstart", {"tick": Tick}, {}, {}))
