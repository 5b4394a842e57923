import threading

state = {"spins": 0}


def spin():
    while True:
        state["spins"] += 1


worker = threading.Thread(target=spin)
worker.start()
print("spinning in a thread")
worker.join()
