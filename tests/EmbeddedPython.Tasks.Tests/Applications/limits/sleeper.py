import time

print("sleeping")
time.sleep(120)
print("woke up")
