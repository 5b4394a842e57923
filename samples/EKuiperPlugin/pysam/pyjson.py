import logging
import time

from ekuiper import Source, Context


class PyJson(Source):
    """Emits the same small object five times a second until the rule stops."""

    def __init__(self):
        self.data = {"name": "pyjson", "value": 2021}
        self.running = True

    def configure(self, datasource: str, conf: dict):
        logging.info("configuring with datasource %s and conf %s", datasource, conf)

    def open(self, ctx: Context):
        print("opening")
        while self.running:
            ctx.emit(self.data, None)
            time.sleep(0.2)
        print("closed")

    def close(self, ctx: Context):
        print("closing")
        self.running = False
