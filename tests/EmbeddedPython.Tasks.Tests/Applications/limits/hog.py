import time

data = []
while True:
    data.append(bytearray(4 * 1024 * 1024))
    time.sleep(0.01)
