from . import helper


def function2():
    return "function2 uses " + helper.helper()
