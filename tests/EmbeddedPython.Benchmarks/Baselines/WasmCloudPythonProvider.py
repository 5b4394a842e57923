"""A plain-Python wasmCloud 0.x capability provider: the baseline of WasmCloudBenchmarks.

Written from the repository's wasmCloud spec (HostData on stdin, NATS core protocol over one socket, msgpack
envelopes, 0x7f + CBOR payloads, signed claims, links, health, shutdown) as a lean provider would be: one
asyncio loop, messages handled in arrival order without a task each, C-accelerated codecs. It needs Debian's
python3-msgpack, python3-cbor2 and python3-cryptography (Ed25519 through OpenSSL). Object-store chunking
is not implemented (the benchmark's payloads are small).

    PYTHON_DISPATCH=<dispatch.py> python3 WasmCloudPythonProvider.py < <HostData line>
"""

import asyncio
import base64
import hashlib
import importlib.util
import json
import os
import sys
import time
import traceback

import cbor2
import msgpack
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Dispatch:
    """PYTHON_DISPATCH's handle(command, arg), reloaded when the file's mtime moves on (spec §10)."""

    def __init__(self, path):
        self.path = path
        self.stamp = os.stat(path).st_mtime_ns
        self.handle = self._load()

    def _load(self):
        spec = importlib.util.spec_from_file_location("dispatch", self.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.handle

    def call(self, operation, arg):
        stamp = os.stat(self.path).st_mtime_ns
        if stamp > self.stamp:
            self.handle = self._load()
            self.stamp = stamp
        if operation == "reload":
            self.handle = self._load()
            return True
        return self.handle(operation, arg)


def public_key_bytes(nkey):
    """The 32 Ed25519 bytes of a public nkey: base32 of prefix, key and CRC-16/XMODEM (spec §9)."""
    raw = base64.b32decode(nkey + "=" * (-len(nkey) % 8))
    if len(raw) != 35:
        raise ValueError(f"'{nkey}' is not a public nkey")
    crc = 0
    for byte in raw[:33]:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    if raw[33] | (raw[34] << 8) != crc:
        raise ValueError(f"'{nkey}' has a bad checksum")
    return raw[1:33]


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def entity_url(entity):
    key = entity.get("public_key", "")
    if key.startswith("M"):
        return "wasmbus://" + key
    contract = entity.get("contract_id", "").replace(":", "/").replace(" ", "_").lower()
    link = entity.get("link_name", "").replace(" ", "_").lower()
    return f"wasmbus://{contract}/{link}/{key}"


class Provider:
    def __init__(self, host, dispatch):
        self.host = host
        self.dispatch = dispatch
        self.issuers = set(host.get("cluster_issuers") or [])
        self.keys = {}
        self.links = {link["actor_id"] for link in host.get("link_definitions") or []}
        prefix, key, link = host.get("lattice_rpc_prefix") or "default", host["provider_key"], host.get("link_name") or "default"
        self.subject = f"wasmbus.rpc.{prefix}.{key}.{link}"
        self.stopped = asyncio.Event()

    def verify(self, inv, msg):
        """None when the claims hold, else the reason (spec §9)."""
        parts = inv.get("encoded_claims", "").split(".")
        if len(parts) != 3:
            return "invalid claims: the token is not a JWT"
        try:
            header, claims, signature = json.loads(b64url(parts[0])), json.loads(b64url(parts[1])), b64url(parts[2])
        except ValueError as error:
            return f"invalid claims: {error}"
        if header.get("alg") != "Ed25519" or str(header.get("typ", "")).lower() != "jwt":
            return "invalid claims: the token header must say typ jwt, alg Ed25519"
        issuer = claims.get("iss", "")
        if not issuer or not claims.get("sub"):
            return "invalid claims: issuer and subject must not be empty"
        key = self.keys.get(issuer)
        if key is None:
            try:
                key = self.keys[issuer] = Ed25519PublicKey.from_public_bytes(public_key_bytes(issuer))
            except ValueError:
                return "invalid claims: the signature does not verify with the issuer's key"
        try:
            key.verify(signature, (parts[0] + "." + parts[1]).encode("ascii"))
        except InvalidSignature:
            return "invalid claims: the signature does not verify with the issuer's key"
        now = time.time()
        if "exp" in claims and claims["exp"] < now:
            return "invalid claims: the token has expired"
        if "nbf" in claims and claims["nbf"] > now:
            return "invalid claims: the token is not valid yet"
        wascap = claims.get("wascap")
        if not isinstance(wascap, dict):
            return "invalid claims: no wascap section"
        origin_url = entity_url(inv.get("origin") or {})
        operation = inv.get("operation", "")
        target_url = entity_url(inv.get("target") or {}) + "/" + operation
        digest = hashlib.sha256()
        for part in (origin_url.encode(), target_url.encode(), operation.encode(), msg):
            digest.update(part)
        if wascap.get("hash") != digest.hexdigest().upper():
            return "invalid claims: the invocation hash does not match (message tampered with)"
        host_id = inv.get("host_id", "")
        if not (host_id.startswith("N") or len(host_id) == 56):
            return f"invalid claims: host id '{host_id}' is not a host key"
        if wascap.get("target_url") != target_url:
            return "invalid claims: the target URL does not match the invocation"
        if wascap.get("origin_url") != origin_url:
            return "invalid claims: the origin URL does not match the invocation"
        if issuer not in self.issuers:
            return f"invalid claims: issuer '{issuer}' is not among the cluster issuers"
        return None

    def invoke(self, body):
        try:
            inv = msgpack.unpackb(body, raw=False)
        except Exception as error:
            return {"msg": b"", "invocation_id": "", "error": f"deser error: {error}", "content_length": 0}
        invocation_id = inv.get("id", "")
        msg = inv.get("msg", b"")
        error = self.verify(inv, msg)
        target = (inv.get("target") or {}).get("public_key")
        origin = (inv.get("origin") or {}).get("public_key", "")
        if error is None and target != self.host["provider_key"]:
            error = f"target key mismatch: '{target}' is not this provider"
        if error is None and origin not in self.links:
            error = f"unlinked actor: '{origin}'"
        if error is None:
            try:
                result = self.call(inv.get("operation", ""), msg)
            except Exception as failure:
                error = str(failure)
        if error is not None:
            return {"msg": b"", "invocation_id": invocation_id, "error": error, "content_length": 0}
        return {"msg": result, "invocation_id": invocation_id, "content_length": len(result)}

    def call(self, operation, msg):
        if not msg:
            arg = None
        elif msg[0] == 0x7F and len(msg) > 1:
            try:
                arg = cbor2.loads(msg[1:])
            except Exception as error:
                raise Exception(f"serialization: {error}")
        else:
            raise Exception("rpc: invalid message format")
        try:
            value = self.dispatch.call(operation, arg)
        except Exception as error:
            trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            raise Exception(f"Exception raised {type(error).__name__}: {error}\n{trace}\n")
        if value is None:
            return b""
        try:
            return cbor2.dumps(value)
        except Exception as error:
            raise Exception(f"deserialization: {error}")

    def control(self, subject, body):
        """A control message; returns the reply body, or None for none."""
        if subject.endswith(".health"):
            return msgpack.packb({"healthy": True})
        if subject.endswith(".shutdown"):
            try:
                host_id = json.loads(body).get("host_id", "")
            except ValueError:
                host_id = ""
            if host_id and host_id != self.host.get("host_id"):
                return None
            self.stopped.set()
            return b"shutting down"
        link = json.loads(body) if body[:1] == b"{" else msgpack.unpackb(body, raw=False)
        if subject.endswith(".linkdefs.put"):
            self.links.add(link["actor_id"])
        elif subject.endswith(".linkdefs.del"):
            self.links.discard(link["actor_id"])
        return None


async def serve(host, dispatch):
    provider = Provider(host, dispatch)
    address = (host.get("lattice_rpc_url") or "nats://127.0.0.1:4222").removeprefix("nats://")
    server, _, port = address.rpartition(":")
    reader, writer = await asyncio.open_connection(server, int(port))
    await reader.readuntil(b"\r\n")  # INFO
    options = {"verbose": False, "pedantic": False, "lang": "python", "version": "baseline", "protocol": 1, "name": "python-baseline-provider"}
    writer.write(b"CONNECT " + json.dumps(options).encode() + b"\r\n")
    subjects = [(provider.subject, "rpc")] + [(provider.subject + suffix, "") for suffix in (".linkdefs.put", ".linkdefs.del", ".shutdown", ".health")]
    for sid, (subject, queue) in enumerate(subjects, 1):
        writer.write(f"SUB {subject} {queue} {sid}\r\n".replace("  ", " ").encode())
    writer.write(b"PING\r\n")
    rpc_sid = b"1"
    while not provider.stopped.is_set():
        line = await reader.readuntil(b"\r\n")
        if line.startswith(b"MSG "):
            fields = line[4:-2].split(b" ")
            subject, sid = fields[0], fields[1]
            reply = fields[2] if len(fields) == 4 else None
            body = (await reader.readexactly(int(fields[-1]) + 2))[:-2]
            answer = msgpack.packb(provider.invoke(body)) if sid == rpc_sid else provider.control(subject.decode(), body)
            if reply is not None and answer is not None:
                writer.write(b"PUB %s %d\r\n%s\r\n" % (reply, len(answer), answer))
                if writer.transport.get_write_buffer_size() > 1 << 20:
                    await writer.drain()
        elif line.startswith(b"PING"):
            writer.write(b"PONG\r\n")
        elif line.startswith(b"-ERR"):
            print(line.decode().strip(), file=sys.stderr)
        elif line.startswith(b"PONG"):
            print("serving", provider.subject, file=sys.stderr, flush=True)
    await writer.drain()
    writer.close()


def main():
    line = sys.stdin.readline().strip()
    host = json.loads(base64.b64decode(line + "=" * (-len(line) % 4)))
    asyncio.run(serve(host, Dispatch(os.environ["PYTHON_DISPATCH"])))


if __name__ == "__main__":
    main()
