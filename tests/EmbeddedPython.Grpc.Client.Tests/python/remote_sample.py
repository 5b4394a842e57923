"""Functions the remote executor's tests call on a server."""
import asyncio
import os
import time


def add(a, b):
    return a + b


async def slow_add(a, b, delay=0.01):
    await asyncio.sleep(delay)
    return a + b


def types(*args, **kwargs):
    """The Python type of each argument, as the server received it."""
    return [type(v).__name__ for v in args] + [f"{k}={type(v).__name__}" for k, v in kwargs.items()]


def echo(value):
    return value


def order():
    return {"id": 7, "lines": [{"sku": "a", "unit_price": 2.5}, {"sku": "b", "unit_price": 4.0}]}


def count(n, marker=None):
    try:
        for i in range(n):
            yield i
    finally:
        if marker:
            with open(marker, "w") as f:
                f.write("closed")


def fail(message):
    raise ValueError(message)


def sleep_then_mark(seconds, marker):
    time.sleep(seconds)
    with open(marker, "w") as f:
        f.write("ran")


class Model:
    pass


def model():
    return Model()


def pid():
    return os.getpid()
