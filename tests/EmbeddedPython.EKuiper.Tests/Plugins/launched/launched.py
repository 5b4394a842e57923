# Test plugin for the launcher: eKuiper starts `<pythonBin> -u launched.py {"sendTimeout":1000}` in this folder.
import os
import sys

from ekuiper import plugin, PluginConfig, Source


class Where(Source):
    """Emits where it runs: argv and the working directory, as eKuiper's launch sets them."""

    def configure(self, datasource, conf):
        self.running = True

    def open(self, ctx):
        import time
        while self.running:
            ctx.emit({"argv": sys.argv[1:], "cwd": os.getcwd()}, None)
            time.sleep(0.1)

    def close(self, ctx):
        self.running = False


if __name__ == '__main__':
    plugin.start(PluginConfig("launched", {"where": Where}, {}, {}))
