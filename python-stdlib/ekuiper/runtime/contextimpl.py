"""The contexts handed to symbols: one per source/sink instance, one per (rule, op, instance, funcId) for functions."""

import json
import logging
import sys

from ekuiper.runtime.context import Context


class PluginLogger:
    """What ``ctx.get_logger()`` returns: file-like like the original (``write``, ``flush`` go to stdout)
    and logger-like as plugin templates expect (``info``, ``warning``, ... go to logging)."""

    def __init__(self, name):
        self._logger = logging.getLogger(name)

    def write(self, text):
        return sys.stdout.write(text)

    def flush(self):
        sys.stdout.flush()

    def __getattr__(self, name):
        # debug, info, warning, warn, error, exception, critical, log, isEnabledFor, ...
        return getattr(self._logger, name)


class ClosedError(RuntimeError):
    """The symbol was stopped: its channel to eKuiper is closed."""


class ContextImpl(Context):
    def __init__(self, meta: dict, key: str = ""):
        self.ruleId = meta.get("ruleId", "")
        self.opId = meta.get("opId", "")
        self.instanceId = meta.get("instanceId", 0)
        self.key = key
        self.running = True
        self._send = None

    def get_rule_id(self) -> str:
        return self.ruleId

    def get_op_id(self) -> str:
        return self.opId

    def get_instance_id(self) -> int:
        return self.instanceId

    def get_logger(self):
        return PluginLogger(f"ekuiper.{self.ruleId or 'function'}")

    def _push(self, payload: bytes, what: str):
        # The .NET send waits without the GIL while eKuiper is slow, and says False once the channel closed.
        if not (self.running and self._send(payload)):
            raise ClosedError(f"{what} on a stopped {self.key}")

    def emit(self, message: dict, meta: dict):
        raise AttributeError("emit is only available to sources")

    def emit_error(self, error: str):
        raise AttributeError("emit_error is only available to sources")

    def ack_ok(self):
        raise AttributeError("ack_ok is only available to sinks")

    def ack_error(self, error: str):
        raise AttributeError("ack_error is only available to sinks")

    def __str__(self):
        return f"{{ruleId: {self.ruleId}, opId: {self.opId}, instanceId: {self.instanceId}}}"


class SourceContext(ContextImpl):
    def __init__(self, meta, key, send):
        super().__init__(meta, key)
        self._send = send

    def emit(self, message: dict, meta: dict):
        self._push(json.dumps({"message": message, "meta": meta}).encode("utf-8"), "emit")

    def emit_error(self, error: str):
        # Same bytes as the original (eKuiper ingests them as an empty tuple), and logged so it is seen.
        logging.getLogger("ekuiper").error("source %s emitted error: %s", self.key, error)
        self._push(json.dumps({"error": error}).encode("utf-8"), "emit_error")


class SinkContext(ContextImpl):
    def __init__(self, meta, key, send, require_ack):
        super().__init__(meta, key)
        self._send = send
        self.require_ack = require_ack

    def ack_ok(self):
        # eKuiper reads acks only with requireAck; sending them otherwise fills the channel until the sink dies.
        if self.require_ack:
            self._push(b"{}", "ack_ok")

    def ack_error(self, error: str):
        if self.require_ack:
            self._push(json.dumps({"error": error}).encode("utf-8"), "ack_error")


class FunctionContext(ContextImpl):
    def __init__(self, meta: dict):
        super().__init__(meta)
        self.funcId = meta.get("funcId", 0)
