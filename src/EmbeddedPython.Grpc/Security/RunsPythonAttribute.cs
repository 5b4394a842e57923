namespace EmbeddedPython.Grpc.Security;

/// <summary>Marks a gRPC service through which a caller makes this host run Python. While the server listens
/// beyond loopback, such a service's endpoints must require authorization, or the host refuses to start
/// (see <see cref="PythonGrpcOptions.AllowAnonymous"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RunsPythonAttribute : Attribute;
