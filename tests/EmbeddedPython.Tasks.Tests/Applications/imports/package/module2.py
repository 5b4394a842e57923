# The guide's example: package/ holds only this file (no __init__.py), so it is a namespace package.
def module2_print():
    print("module2_print from a folder without __init__.py")
