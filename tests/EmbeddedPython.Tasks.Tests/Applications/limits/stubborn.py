# Catches everything it can and carries on: the stop must still win.
print("stubborn")
while True:
    try:
        while True:
            pass
    except BaseException as error:
        print("caught", type(error).__name__)
