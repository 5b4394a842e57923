import time

from ekuiper import Source, Sink, Function

collected = []


class Bad(Source):
    def configure(self, datasource, conf):
        pass

    def open(self, ctx):
        ctx.emit({"before": "failure"}, None)
        raise ValueError("source blew up")

    def close(self, ctx):
        pass


class Fragile(Sink):
    def configure(self, conf):
        collected.clear()

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        if data == b'"boom"':
            raise ValueError("cannot take boom")
        collected.append(data)
        ctx.ack_ok()

    def close(self, ctx):
        pass


class Explode(Function):
    def validate(self, args):
        return "explode takes no arguments" if args else ""

    def exec(self, args, ctx):
        return 1 / 0

    def is_aggregate(self):
        return False


class Slow(Function):
    def validate(self, args):
        return ""

    def exec(self, args, ctx):
        time.sleep(30)
        return "too late"

    def is_aggregate(self):
        return False


class Wordy(Source):
    """Fails to start with a 200,000-character error."""

    def configure(self, datasource, conf):
        raise ValueError("w" * 200_000)

    def open(self, ctx):
        pass

    def close(self, ctx):
        pass


class Verbose(Function):
    """Fails with 200,000-character errors: a validation text and an exception."""

    def validate(self, args):
        return "v" * 200_000

    def exec(self, args, ctx):
        raise ValueError("é" * 200_000)

    def is_aggregate(self):
        return False
