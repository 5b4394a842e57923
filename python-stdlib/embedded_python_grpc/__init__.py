"""Python half of EmbeddedPython.Grpc: the executor service's entry-point calls.

The .NET side calls these functions through the call API; user code does not import this package.
"""
