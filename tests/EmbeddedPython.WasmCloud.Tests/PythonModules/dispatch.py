"""Dispatch module of the tests, with the operations of the original provider's example (matched on
the operation's suffix, so an "Interface." prefix is ignored) and a few more for the port's cases."""

import asyncio

VERSION = "v1"


def factorial(n):
    result = 1
    for i in range(2, n + 1):
        result *= i
    return result


async def slow(seconds):
    await asyncio.sleep(seconds)
    return VERSION


async def echo_later(arg):
    await asyncio.sleep(0.05)
    return arg


def handle(operation, arg):
    if operation.endswith("factorial"):
        return factorial(arg)
    if operation.endswith("hello"):
        return f"Hello {arg}!"
    if operation.endswith("big_response"):
        return "x" * arg
    if operation.endswith("echo_later"):
        return echo_later(arg)
    if operation.endswith("echo"):
        return arg
    if operation.endswith("length"):
        return len(arg)
    if operation.endswith("version"):
        return VERSION
    if operation.endswith("slow"):
        return slow(arg)
    if operation.endswith("spin"):
        while True:
            pass
    if operation.endswith("fail"):
        raise ValueError("bad")
    if operation.endswith("fail_with"):
        raise ValueError(arg)
    if operation.endswith("a_set"):
        return {1, 2}
    if operation.endswith("nothing"):
        return None
    return f"unknown command {operation}"
