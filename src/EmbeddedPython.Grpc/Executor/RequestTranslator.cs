using EmbeddedPython.Grpc.Protocol;
using EmbeddedPython.Grpc.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>A gRPC request checked and turned into an executor request, or for an entry point into a call.</summary>
/// <param name="Request">What the executor runs (null for an entry point).</param>
/// <param name="EntryPoint">The call of an entry point (python-stdlib/embedded_python_grpc/entry.py); its return value is the result.</param>
/// <param name="ReturnNames">The globals the caller asked for (empty: all).</param>
internal sealed record TranslatedRequest(PythonRequest? Request, PythonCall? EntryPoint, IReadOnlyList<string> ReturnNames);

/// <summary>Checks an <see cref="ExecuteRequest"/> and translates it; anything malformed is refused with
/// <c>INVALID_ARGUMENT</c> naming the field.</summary>
internal sealed class RequestTranslator(IOptions<PythonGrpcOptions> options, IOptions<PythonExecutorOptions> executorOptions)
{
    public TranslatedRequest Translate(ExecuteRequest request, ServerCallContext context)
    {
        var presets = ReadPresets(request);
        var timeout = EffectiveTimeout(request.Timeout, context);
        var memoryLimit = EffectiveMemoryLimit(request.HasMemoryLimit ? request.MemoryLimit : null);
        var returnNames = new List<string>(request.ReturnNames.Count);
        foreach (var name in request.ReturnNames)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw Invalid("return_names", "return_names must not contain empty names.");
            returnNames.Add(name);
        }
        if (request.SourceCase == ExecuteRequest.SourceOneofCase.EntryPoint)
            return new TranslatedRequest(null, EntryPointCall(request.EntryPoint, presets, timeout, memoryLimit), returnNames);
        (string? code, string? cacheName, string? script) = request.SourceCase switch
        {
            ExecuteRequest.SourceOneofCase.Code when request.Code.Length > 0 => (request.Code, NullIfEmpty(request.Name), (string?)null),
            ExecuteRequest.SourceOneofCase.Script when request.Script.Length > 0 => (null, null, request.Script),
            ExecuteRequest.SourceOneofCase.None when request.Name.Length > 0 => (null, request.Name, null),
            _ => throw Invalid("source", "the request has no source: set code, script, entry_point, or name alone to rerun cached code."),
        };
        var python = new PythonRequest
        {
            Code = code,
            Name = cacheName,
            Script = script,
            PresetValues = presets,
            LimitReturnTo = returnNames.Count > 0 ? returnNames : null,
            CodeHandlesReturn = request.CodeHandlesReturn,
            Timeout = timeout,
            MemoryLimit = memoryLimit,
        };
        return new TranslatedRequest(python, null, returnNames);
    }

    private static Dictionary<string, object?> ReadPresets(ExecuteRequest request)
    {
        try
        {
            return request.PresetCase switch
            {
                ExecuteRequest.PresetOneofCase.PresetValuesJson => JsonValues.ParseObject(request.PresetValuesJson),
                ExecuteRequest.PresetOneofCase.PresetValues => JsonValues.FromStruct(request.PresetValues),
                _ => [],
            };
        }
        catch (FormatException e)
        {
            throw Invalid(request.PresetCase == ExecuteRequest.PresetOneofCase.PresetValuesJson ? "preset_values_json" : "preset_values", e.Message);
        }
    }

    /// <summary>The time limit of a request (or call) that asked for <paramref name="asked"/>: the server's default
    /// when absent, refused above the server's maximum, bounded by the call's deadline.</summary>
    public TimeSpan EffectiveTimeout(Google.Protobuf.WellKnownTypes.Duration? asked, ServerCallContext context)
    {
        var max = options.Value.MaxTimeout;
        var timeout = executorOptions.Value.DefaultTimeout;
        if (asked is not null)
        {
            var span = ToTimeSpan(asked);
            if (span <= TimeSpan.Zero)
                throw Invalid("timeout", $"timeout must be positive (was {span.TotalMilliseconds} ms).");
            if (span > max)
                throw Invalid("timeout", $"timeout {span} is above this server's maximum of {max}.");
            timeout = span;
        }
        if (timeout == Timeout.InfiniteTimeSpan || timeout > max)
            timeout = max;
        // The client's deadline bounds the run too, so the interpreter is freed when nobody waits any more.
        if (context.Deadline != DateTime.MaxValue)
        {
            var left = context.Deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "the call's deadline passed before it started"));
            if (left < timeout)
                timeout = left;
        }
        return timeout;
    }

    /// <summary>The memory limit of a request (or call) that asked for <paramref name="asked"/> bytes: the server's
    /// default when absent, refused when not positive or above the server's maximum.</summary>
    public long EffectiveMemoryLimit(long? asked)
    {
        var max = options.Value.MaxMemoryLimit;
        if (asked is not { } limit)
            return options.Value.DefaultMemoryLimit;
        if (limit <= 0)
            throw Invalid("memory_limit", $"memory_limit must be a positive number of bytes (was {limit}).");
        if (limit > max)
            throw Invalid("memory_limit", $"memory_limit {limit} is above this server's maximum of {max} bytes.");
        return limit;
    }

    private PythonCall EntryPointCall(EntryPoint entryPoint, Dictionary<string, object?> presets, TimeSpan timeout, long memoryLimit)
    {
        var directory = options.Value.CodeDirectory
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this server has no code directory (EmbeddedPython:Grpc:CodeDirectory), so it serves no entry points."));
        var file = entryPoint.File;
        if (file.Length == 0 || !file.EndsWith(".py", StringComparison.Ordinal) || Path.IsPathRooted(file) || file.Split('/', '\\').Contains(".."))
            throw Invalid("entry_point.file", $"entry_point.file '{file}' must be a relative path of a .py file inside the code directory.");
        if (!IsIdentifier(entryPoint.Function))
            throw Invalid("entry_point.function", $"entry_point.function '{entryPoint.Function}' is not a Python identifier.");
        var root = Path.GetFullPath(directory);
        if (!File.Exists(Path.Combine(root, file)))
            throw new RpcException(new Status(StatusCode.NotFound, ErrorStatus.Bounded($"entry file '{file}' not found in the code directory.")));
        return new PythonCall("embedded_python_grpc.entry", "call")
        {
            Args = [root, file, entryPoint.Function, presets],
            Timeout = timeout,
            MemoryLimit = memoryLimit,
        };
    }

    private static TimeSpan ToTimeSpan(Google.Protobuf.WellKnownTypes.Duration duration)
    {
        try
        {
            return duration.ToTimeSpan();
        }
        catch (InvalidOperationException)
        {
            // Seconds beyond ±10,000 years, nanos beyond a second or of the other sign: not a protobuf Duration.
            throw Invalid("timeout", $"timeout is not a valid duration (seconds {duration.Seconds}, nanos {duration.Nanos}).");
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    // The field travels as a google.rpc.BadRequest detail too, for clients that fix requests by field.
    public static RpcException Invalid(string field, string message)
    {
        message = ErrorStatus.Bounded(message);
        return new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = message,
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Rpc.BadRequest { FieldViolations = { new Google.Rpc.BadRequest.Types.FieldViolation { Field = field, Description = message } } }) },
        }.ToRpcException();
    }
}
