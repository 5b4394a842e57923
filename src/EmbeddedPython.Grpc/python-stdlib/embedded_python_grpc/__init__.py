"""Python half of EmbeddedPython.Grpc: export discovery, entry-point calls and autokitteh sessions.

The .NET side calls these functions through the executor; user code does not import this package.
"""
