from ompy.appmanager.communication import wait_for_socket_from_web

soc = wait_for_socket_from_web(timeout=20)
while True:
    message = soc.sync_read_message()
    if message is None:
        break
    kind = "binary" if isinstance(message, bytes) else "text"
    print(f"got {kind} {message!r}")
    if kind == "binary":
        soc.sync_send_binary_message(bytes(reversed(message)))
    else:
        soc.sync_send_text_message(message.upper())
print("peer left")
