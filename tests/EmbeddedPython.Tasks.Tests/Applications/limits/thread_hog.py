import threading
import time


def hog():
    data = []
    while True:
        data.append(bytearray(4 * 1024 * 1024))
        time.sleep(0.01)


threading.Thread(target=hog, daemon=True).start()
print("hogging in a thread")
while True:
    time.sleep(0.05)
