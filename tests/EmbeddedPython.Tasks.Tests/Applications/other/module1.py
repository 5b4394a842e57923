def function1():
    return "function1 from the other application"
