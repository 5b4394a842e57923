print("module1 imported")


def function1():
    return "function1 from the guide application"
