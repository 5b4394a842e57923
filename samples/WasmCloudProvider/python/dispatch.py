"""The dispatch module of the original Python provider's example, for this sample: handle(command, arg)
matches the end of the operation name, so "Python.factorial" and "f.factorial" both reach factorial."""


def factorial(n):
    result = 1
    for i in range(2, n + 1):
        result *= i
    return result


def say_hello(name):
    return f"Hello {name}!"


def handle(command, arg):
    if command.endswith("factorial"):
        return factorial(arg)
    if command.endswith("hello"):
        return say_hello(arg)
    if command.endswith("big_response"):
        return "x" * arg
    return f"unknown command {command}"
