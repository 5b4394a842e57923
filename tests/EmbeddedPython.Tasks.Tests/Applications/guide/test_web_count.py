from ompy.appmanager.communication import wait_for_socket_from_web

soc = wait_for_socket_from_web(timeout=20)
expected = 0
while True:
    message = soc.sync_read_text_message()
    if message is None:
        break
    if message != str(expected):
        print(f"out of order: got {message}, expected {expected}")
        break
    expected += 1
print(f"received {expected} in order")
