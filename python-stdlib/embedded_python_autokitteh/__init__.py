"""Python half of EmbeddedPython.Autokitteh: autokitteh sessions, durable activities, export listing and
value rendering.

The .NET side calls these functions through the call API; user code imports the ``autokitteh`` SDK instead.
"""
