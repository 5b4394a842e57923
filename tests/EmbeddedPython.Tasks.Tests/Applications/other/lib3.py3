def describe(params):
    return f"{params['length']} {params['unit']} from a .py3 module"
