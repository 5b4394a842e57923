"""What the call API tests call (tests/EmbeddedPython.Tests/Calls/)."""

import asyncio
import sys
import time

events = []


def add(a, b):
    return a + b


def describe_buffer(value):
    view = memoryview(value)
    return f"{view.format}{len(view)}"


def greet(name, greeting="Hello", punctuation="!"):
    return f"{greeting}, {name}{punctuation}"


def fail(message):
    raise ValueError(message)


def shout(text):
    print("shouting", text)
    return text.upper()


def chatter(name):
    print("hello", name)
    sys.stdout.write("tail")
    return len(name)


def sleep(seconds):
    time.sleep(seconds)
    return "woke"


class Counter:
    def __init__(self, start=0):
        self.value = start

    def increment(self, by=1):
        self.value += by
        return self.value

    def __repr__(self):
        return f"Counter({self.value})"


class Model:
    @staticmethod
    def predict(x):
        return x * 10


cache = {"answer": 42}


def make_counter(start=0):
    return Counter(start)


def read_value(counter):
    return counter.value


async def nap(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def nap_forever():
    try:
        await asyncio.sleep(3600)
    finally:
        events.append("nap cancelled")


def count(n):
    for i in range(n):
        yield i


def endless(tag):
    try:
        i = 0
        while True:
            yield i
            i += 1
    finally:
        events.append(f"closed {tag}")


def slow_then_endless(seconds):
    yield 0
    time.sleep(seconds)
    while True:
        yield 1


def failing_generator():
    yield 1
    raise RuntimeError("generator broke")


async def async_count(n, delay):
    for i in range(n):
        await asyncio.sleep(delay)
        yield i


async def async_endless(tag):
    try:
        i = 0
        while True:
            await asyncio.sleep(0)
            yield i
            i += 1
    finally:
        events.append(f"closed {tag}")


_tracked = []


def tracked_counter():
    """A Counter whose life a weak reference follows (see tracked_alive)."""
    import weakref
    counter = Counter()
    _tracked.append(weakref.ref(counter))
    return counter


def tracked_alive():
    import gc
    gc.collect()
    _tracked[:] = [ref for ref in _tracked if ref() is not None]
    return len(_tracked)


def take_events():
    taken = list(events)
    events.clear()
    return taken


def call_with(function, *args, **kwargs):
    return function(*args, **kwargs)


async def await_callback(function, *args):
    result = function(*args)
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        result = await result
    return result
