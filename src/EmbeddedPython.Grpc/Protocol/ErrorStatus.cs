using System.Text.RegularExpressions;
using EmbeddedPython.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RpcStatus = Google.Rpc.Status;

namespace EmbeddedPython.Grpc.Protocol;

/// <summary>Turns what the executor throws into a gRPC status (the table in the package README), with a
/// <see cref="PythonError"/> packed into the status details and the exception type in trailers.</summary>
/// <remarks>Status message and details travel in trailers, which clients cap (gRPC C-core at 8 KB by
/// default), so every text is bounded and the packed details stay under <see cref="MaxDetailBytes"/>.</remarks>
internal static partial class ErrorStatus
{
    /// <summary>The longest status message (the <c>grpc-message</c> trailer), in characters.</summary>
    public const int MaxMessageLength = 512;

    /// <summary>The largest serialized <see cref="PythonError"/>; base64 in <c>grpc-status-details-bin</c>
    /// makes it a third larger.</summary>
    public const int MaxDetailBytes = 4096;

    private const int MaxTracebackLength = 2048;

    private static readonly HashSet<string> CompileErrors = ["SyntaxError", "IndentationError", "TabError"];

    public static RpcException From(Exception exception, ServerCallContext context, string requestId)
    {
        requestId = ErrorText.Bound(requestId, MaxMessageLength);
        switch (exception)
        {
            case RpcException rpc:
                return rpc;
            case PythonTimeoutException timeout:
                return Build(StatusCode.DeadlineExceeded, timeout.Message,
                    new PythonError { Type = "TimeoutError", Module = "builtins", Message = timeout.Message, Phase = PythonError.Types.Phase.Interrupted, RequestId = requestId });
            case OperationCanceledException when context.Deadline <= DateTime.UtcNow:
                return new RpcException(new Status(StatusCode.DeadlineExceeded, "the call's deadline passed; the Python code was interrupted"));
            case OperationCanceledException:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled; the Python code was interrupted"));
            case PythonFailedException failed:
                var reported = ErrorText.Bound(JsonValues.Write(failed.Error, out _), MaxMessageLength);
                return Build(StatusCode.Unknown, $"the code failed its request: {reported}",
                    new PythonError { Type = failed.PythonType, Module = "embedded_python", Message = reported, Phase = PythonError.Types.Phase.Run, RequestId = requestId });
            case PythonException python:
                return FromPython(python, requestId);
            case ArgumentException or FormatException:
                return new RpcException(new Status(StatusCode.InvalidArgument, Bounded(exception.Message)));
            case ObjectDisposedException:
                return new RpcException(new Status(StatusCode.Unavailable, "the Python executor is shutting down"));
            default:
                return new RpcException(new Status(StatusCode.Internal, Bounded($"{exception.GetType().Name}: {exception.Message}")));
        }
    }

    /// <summary>A text bounded to fit a status message.</summary>
    public static string Bounded(string text) => ErrorText.Bound(text, MaxMessageLength);

    private static RpcException FromPython(PythonException python, string requestId)
    {
        var dot = python.PythonType.LastIndexOf('.');
        var type = dot < 0 ? python.PythonType : python.PythonType[(dot + 1)..];
        var compile = CompileErrors.Contains(type) && python.LineNumber is not null;
        // Frames and causes are read from the bounded traceback; a traceback of many short frames or
        // non-ASCII text may still pack too large, so it is bounded tighter until the details fit.
        var error = Describe(python, requestId, type, compile, MaxTracebackLength);
        for (var limit = MaxTracebackLength / 2; error.CalculateSize() > MaxDetailBytes && limit >= ErrorText.MinimumMaxLength; limit /= 2)
            error = Describe(python, requestId, type, compile, limit);
        var code = compile ? StatusCode.InvalidArgument : type == "MemoryError" ? StatusCode.ResourceExhausted : StatusCode.Unknown;
        var message = python.Message.StartsWith(type + ":", StringComparison.Ordinal) ? python.Message : $"{type}: {python.Message}";
        return Build(code, message, error);
    }

    private static PythonError Describe(PythonException python, string requestId, string type, bool compile, int tracebackLimit)
    {
        var dot = python.PythonType.LastIndexOf('.');
        var traceback = ErrorText.Bound(python.PythonTraceback, tracebackLimit);
        var error = new PythonError
        {
            Type = ErrorText.Bound(type, MaxMessageLength),
            Module = dot < 0 ? "builtins" : ErrorText.Bound(python.PythonType[..dot], MaxMessageLength),
            Message = ErrorText.Bound(python.Message, Math.Min(MaxMessageLength, tracebackLimit)),
            Traceback = traceback,
            Phase = compile ? PythonError.Types.Phase.Compile : PythonError.Types.Phase.Run,
            RequestId = requestId,
        };
        var sections = ChainSeparator().Split(traceback);
        error.Frames.Add(ParseFrames(sections[^1]));
        // Earlier sections of the text are the causes (__cause__ / __context__), the nearest last.
        for (var i = sections.Length - 2; i >= 0; i--)
            error.Chain.Add(Cause(sections[i], requestId));
        if (compile && error.Frames.Count == 0 && python.LineNumber is { } line)
            error.Frames.Add(new Frame { Filename = "<string>", Lineno = (uint)line });
        if (compile && python.LineNumber is { } syntaxLine)
            error.SyntaxLine = (uint)syntaxLine;
        if (compile && python.Offset is { } syntaxOffset)
            error.SyntaxOffset = (uint)syntaxOffset;
        return error;
    }

    private static RpcException Build(StatusCode code, string message, PythonError error)
    {
        var status = new RpcStatus { Code = (int)code, Message = Bounded(message), Details = { Any.Pack(error) } };
        var exception = status.ToRpcException();
        exception.Trailers.Add("python-exception-type", error.Type);
        exception.Trailers.Add("python-exception-module", error.Module);
        return exception;
    }

    private static PythonError Cause(string section, string requestId)
    {
        var last = section.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var colon = last.IndexOf(": ", StringComparison.Ordinal);
        var qualified = colon < 0 ? last : last[..colon];
        var dot = qualified.LastIndexOf('.');
        var cause = new PythonError
        {
            Type = dot < 0 ? qualified : qualified[(dot + 1)..],
            Module = dot < 0 ? "builtins" : qualified[..dot],
            Message = colon < 0 ? "" : last[(colon + 2)..],
            Traceback = section.Trim('\n'),
            Phase = PythonError.Types.Phase.Run,
            RequestId = requestId,
        };
        cause.Frames.Add(ParseFrames(section));
        return cause;
    }

    /// <summary>Reads the frames of a formatted Python traceback ("File "x", line N, in f" and its source line).</summary>
    internal static IEnumerable<Frame> ParseFrames(string? traceback)
    {
        if (string.IsNullOrEmpty(traceback))
            yield break;
        var lines = traceback.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var match = FrameLine().Match(lines[i]);
            if (!match.Success)
                continue;
            var source = i + 1 < lines.Length && lines[i + 1].StartsWith("    ", StringComparison.Ordinal) ? lines[i + 1].Trim() : "";
            yield return new Frame
            {
                Filename = match.Groups["file"].Value,
                Lineno = uint.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                Name = match.Groups["name"].Value.TrimEnd('\r'),
                Code = source,
            };
        }
    }

    [GeneratedRegex(@"\n\s*(?:The above exception was the direct cause of the following exception:|During handling of the above exception, another exception occurred:)\s*\n")]
    private static partial Regex ChainSeparator();

    [GeneratedRegex("""^\s*File "(?<file>[^"]*)", line (?<line>\d+), in (?<name>.+)$""")]
    private static partial Regex FrameLine();
}
