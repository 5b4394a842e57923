"""What the call benchmarks (Scenarios/CallBenchmarks.cs) call."""


def add(a, b):
    return a + b


class Counter:
    def __init__(self):
        self.value = 0

    def increment(self):
        self.value += 1
        return self.value


def count(n):
    yield from range(n)
