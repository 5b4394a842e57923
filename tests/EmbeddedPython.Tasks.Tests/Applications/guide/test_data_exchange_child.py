# The guide's child sends its result with aiohttp over ws://127.0.0.1:18564/<parentPid>. PyPI is out of reach
# here, so this child speaks RFC 6455 with the standard library: a real websocket client, a real socket.
import base64
import math
import os
import socket

from ompy.appmanager.variables import TASK_PARAMS

port = int(os.environ.get("RESOURCE_SERVER_LOCAL_PORT", "18564"))
n = TASK_PARAMS["scriptParams"]["factorial"]


def frame(opcode, payload):
    mask = os.urandom(4)
    assert len(payload) < 126
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


with socket.create_connection(("127.0.0.1", port)) as connection:
    key = base64.b64encode(os.urandom(16)).decode()
    connection.sendall((f"GET /{TASK_PARAMS['parentPid']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += connection.recv(1024)
    assert b" 101 " in response.split(b"\r\n")[0], response
    connection.sendall(frame(0x1, str(math.factorial(n)).encode()))
    connection.sendall(frame(0x8, b"\x03\xe8"))
    while connection.recv(1024):
        pass
print(f"child sent {n}! over the websocket")
