"""The main package's own dispatch module."""

VERSION = "main-v1"


def handle(command, arg):
    if command.endswith("factorial"):
        result = 1
        for i in range(2, arg + 1):
            result *= i
        return result
    if command.endswith("hello"):
        return f"Hello {arg}!"
    if command.endswith("version"):
        return VERSION
    return f"unknown command {command}"
