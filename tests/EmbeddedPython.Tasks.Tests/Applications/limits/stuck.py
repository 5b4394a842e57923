import threading

lock = threading.Lock()
lock.acquire()
print("blocking in a native call")
lock.acquire()  # never returns: a C-level wait that no Python exception can reach
