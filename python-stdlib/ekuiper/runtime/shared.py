"""Wire constants of the control channel (same names and values as the original SDK)."""

CMD_START = "start"
CMD_STOP = "stop"

TYPE_SOURCE = "source"
TYPE_SINK = "sink"
TYPE_FUNC = "func"

REPLY_OK = "ok"
