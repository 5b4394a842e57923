using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using EmbeddedPython.Grpc.Client.Channels;
using EmbeddedPython.Grpc.Client.DependencyInjection;
using EmbeddedPython.Grpc.Client.Diagnostics;
using EmbeddedPython.Grpc.Client.Protocol;
using EmbeddedPython.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ExecutorClient = EmbeddedPython.Grpc.V1.PythonExecutor.PythonExecutorClient;

namespace EmbeddedPython.Grpc.Client;

/// <summary>
/// An <see cref="IPythonExecutor"/> whose Python runs on a fleet of <c>EmbeddedPython.Grpc</c> servers
/// (<c>embeddedpython.executor.v1.PythonExecutor</c>), so business code written against the interface moves from
/// in-process Python to remote servers unchanged. Requests and calls are spread by gRPC's client-side load
/// balancing; one that no server took is retried, one that reached a server never is. Errors come back as the
/// in-process exception types. Handles (<see cref="ImportAsync"/>, <see cref="PythonObject"/> results,
/// <see cref="PythonRequest.ReturnHandles"/>) and delegates cannot live across a fleet and are refused with
/// <see cref="NotSupportedException"/>; values cross as JSON (see the package README for what changes).
/// </summary>
public sealed class RemotePythonExecutor : IPythonExecutor
{
    private const string ServiceName = "embeddedpython.executor.v1.PythonExecutor";
    private const string AcceptedHeader = "python-accepted";

    private readonly RemotePythonExecutorOptions _options;
    private readonly GrpcChannel _channel;
    private readonly ServiceProvider? _resolvers;
    private readonly ExecutorClient _client;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates the executor and its channel (connections open on the first request).</summary>
    /// <param name="options">Where the servers are and how to reach them.</param>
    /// <param name="loggerFactory">Logs of this executor and of gRPC's channel, balancer and retries.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names each setting.</exception>
    public RemotePythonExecutor(RemotePythonExecutorOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = RemotePythonExecutorOptionsValidator.Failures(options);
        if (failures.Count > 0)
            throw new ArgumentException("Invalid RemotePythonExecutorOptions: " + string.Join(" ", failures), nameof(options));
        _options = options;
        _logger = (ILogger?)loggerFactory?.CreateLogger<RemotePythonExecutor>() ?? NullLogger.Instance;
        var address = RemoteAddress.Parse(options.Address, options.UseTls, out _)!;
        (_channel, _resolvers) = ChannelFactory.Create(options, address, loggerFactory);
        _client = new ExecutorClient(_channel);
    }

    /// <inheritdoc />
    /// <remarks>With <see cref="PythonRequest.OutputReceived"/> set, the request is streamed so that each printed
    /// line arrives as it is printed. <see cref="PythonRequest.Policy"/> is not sent: the server's own policy applies.</remarks>
    /// <exception cref="RemoteExecutorException">No server took the request, the server refused the caller, or the
    /// connection broke while the request ran (<see cref="RemoteExecutorException.MayHaveRun"/>).</exception>
    /// <exception cref="NotSupportedException">The request asks for handles or a policy, or passes a delegate.</exception>
    public async Task<PythonResult> ExecuteAsync(PythonRequest request, CancellationToken cancellationToken = default)
    {
        var wire = ToWire(request, request.CodeHandlesReturn, out var timeout);
        if (request.OutputReceived is { } output)
        {
            ExecuteResponse? completed = null;
            var partials = new List<object?>();
            await foreach (var item in ServerStreamAsync("ExecuteStream", wire.RequestId, timeout, o => _client.ExecuteStream(wire, o), null, cancellationToken).ConfigureAwait(false))
            {
                switch (item.KindCase)
                {
                    case ExecuteEvent.KindOneofCase.Output: output(item.Output.Text); break;
                    case ExecuteEvent.KindOneofCase.Partial: partials.Add(WireValues.Read(item.Partial.ResultsJson, "partial")); break;
                    case ExecuteEvent.KindOneofCase.Completed: completed = item.Completed; break;
                }
            }
            return ToResult(request, completed ?? throw IncompleteStream(), partials);
        }
        var response = await UnaryAsync("Execute", wire.RequestId, timeout, o => _client.ExecuteAsync(wire, o), null, cancellationToken).ConfigureAwait(false);
        return ToResult(request, response, response.PartialResultsJson.Select(json => WireValues.Read(json, "partial_results_json")).ToList());
    }

    /// <inheritdoc />
    /// <exception cref="RemoteExecutorException">As for <see cref="ExecuteAsync"/>.</exception>
    public async IAsyncEnumerable<PythonMessage> StreamAsync(PythonRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var wire = ToWire(request, codeHandlesReturn: true, out var timeout);
        var completed = false;
        await foreach (var item in ServerStreamAsync("ExecuteStream", wire.RequestId, timeout, o => _client.ExecuteStream(wire, o), null, cancellationToken).ConfigureAwait(false))
        {
            switch (item.KindCase)
            {
                case ExecuteEvent.KindOneofCase.Output:
                    request.OutputReceived?.Invoke(item.Output.Text);
                    break;
                case ExecuteEvent.KindOneofCase.Partial:
                    yield return new PythonMessage(WireValues.Read(item.Partial.ResultsJson, "partial"), IsFinal: false);
                    break;
                case ExecuteEvent.KindOneofCase.Completed:
                    completed = true;
                    yield return new PythonMessage(WireValues.Read(item.Completed.ResultsJson, "results_json"), IsFinal: true);
                    break;
            }
        }
        if (!completed)
            throw IncompleteStream();
    }

    /// <inheritdoc />
    /// <remarks>The result crosses as JSON and is converted here by the in-process rules, so <typeparamref name="T"/>
    /// may be any type of the typed-conversion table except <see cref="PythonObject"/>; the server converts the
    /// Python value the untyped way first (DESIGN §4), so an object without such a form (a dataclass, a numpy
    /// array) fails there with <see cref="PythonConversionException"/>: return a dict or a list from the function.</remarks>
    /// <exception cref="RemoteExecutorException">As for <see cref="ExecuteAsync"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is <see cref="PythonObject"/>, or an argument is a
    /// delegate or a handle.</exception>
    public async Task<T> CallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, CancellationToken cancellationToken = default)
    {
        if (typeof(T) == typeof(PythonObject))
            throw WireValues.NoHandles();
        var wire = ToWire(call, out var timeout);
        var response = await UnaryAsync("Call", wire.RequestId, timeout, o => _client.CallAsync(wire, o), call, cancellationToken).ConfigureAwait(false);
        return WireValues.Convert<T>(WireValues.Read(response.ResultJson, "result_json"), "result");
    }

    /// <inheritdoc />
    /// <remarks>Items are converted as for <see cref="CallAsync{T}"/>. Leaving the enumeration early cancels the call,
    /// and the server closes the generator.</remarks>
    public async IAsyncEnumerable<T> StreamCallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (typeof(T) == typeof(PythonObject))
            throw WireValues.NoHandles();
        var wire = ToWire(call, out var timeout);
        var index = 0;
        await foreach (var item in ServerStreamAsync("StreamCall", wire.RequestId, timeout, o => _client.StreamCall(wire, o), call, cancellationToken).ConfigureAwait(false))
            yield return WireValues.Convert<T>(WireValues.Read(item.ItemJson, "item_json"), $"item[{index++}]");
    }

    /// <summary>Not available remotely: a module handle would pin later calls to one server of the fleet.
    /// Call the module's functions with <see cref="CallAsync{T}"/> instead.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task<PythonObject> ImportAsync(string module, CancellationToken cancellationToken = default) =>
        Task.FromException<PythonObject>(WireValues.NoHandles());

    /// <summary>Closes the channel and its connections; requests in flight are cancelled.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _channel.Dispose();
            _resolvers?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private ExecuteRequest ToWire(PythonRequest request, bool codeHandlesReturn, out TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Code is null && request.Name is null && request.Script is null)
            throw new ArgumentException("A request needs Code, Name or Script.", nameof(request));
        if (request.Script is not null && (request.Code is not null || request.Name is not null))
            throw new ArgumentException("A request names either a Script or Code/Name, not both.", nameof(request));
        if (request.ReturnHandles)
            throw WireValues.NoHandles();
        if (request.Policy is not null)
            throw new NotSupportedException("PythonRequest.Policy is not sent to a remote server: the server's own DefaultPolicy applies there. Set it on the servers, or use the in-process executor.");
        var wire = new ExecuteRequest { RequestId = NewRequestId(), CodeHandlesReturn = codeHandlesReturn, CaptureOutput = _options.CaptureOutput };
        if (request.Script is not null)
            wire.Script = request.Script;
        if (request.Code is not null)
            wire.Code = request.Code;
        if (request.Name is not null)
            wire.Name = request.Name;
        if (request.PresetValues is { Count: > 0 } presets)
            wire.PresetValuesJson = WireValues.Write(presets, "presets");
        if (request.LimitReturnTo is { } names)
            wire.ReturnNames.Add(names);
        timeout = Limit(request.Timeout, nameof(request));
        if (timeout is { } limit)
            wire.Timeout = Duration.FromTimeSpan(limit);
        if (request.MemoryLimit is { } memory)
            wire.MemoryLimit = memory;
        return wire;
    }

    private CallRequest ToWire(PythonCall call, out TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (string.IsNullOrWhiteSpace(call.Module) || string.IsNullOrWhiteSpace(call.Function))
            throw new ArgumentException("A call needs a Module and a Function.", nameof(call));
        var wire = new CallRequest { RequestId = NewRequestId(), Module = call.Module, Function = call.Function };
        if (call.Args is { Count: > 0 } args)
            wire.ArgsJson = WireValues.Write(args, "args");
        if (call.Kwargs is { Count: > 0 } kwargs)
            wire.KwargsJson = WireValues.Write(kwargs, "kwargs");
        timeout = Limit(call.Timeout, nameof(call));
        if (timeout is { } limit)
            wire.Timeout = Duration.FromTimeSpan(limit);
        if (call.MemoryLimit is { } memory)
            wire.MemoryLimit = memory;
        return wire;
    }

    /// <summary>The time limit sent (and the deadline): the request's, else the default; null for none.</summary>
    private TimeSpan? Limit(TimeSpan? asked, string parameter)
    {
        if (asked is { } span && span <= TimeSpan.Zero && span != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(parameter, span, "Timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        var limit = asked ?? _options.DefaultTimeout;
        return limit == Timeout.InfiniteTimeSpan ? null : limit;
    }

    private static PythonResult ToResult(PythonRequest request, ExecuteResponse response, List<object?> partials)
    {
        var output = response.Stdout + response.Stderr;
        if (request.CodeHandlesReturn)
        {
            // As in-process: every emitted value, then the completion's unless it was None.
            if (response.ResultsJson.Length > 0 && WireValues.Read(response.ResultsJson, "results_json") is { } final)
                partials.Add(final);
            return new PythonResult(new Dictionary<string, object?>(), partials, output);
        }
        var values = (Dictionary<string, object?>)WireValues.Read(response.ResultsJson.Length == 0 ? "{}" : response.ResultsJson, "results_json")!;
        // A value the server could not write as JSON is left out, as in-process a value without a .NET form is.
        foreach (var lossy in response.LossyReturnNames)
            values.Remove(lossy);
        return new PythonResult(values, [], output);
    }

    private async Task<TResponse> UnaryAsync<TResponse>(string method, string requestId, TimeSpan? timeout,
        Func<CallOptions, AsyncUnaryCall<TResponse>> start, PythonCall? call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var activity = StartActivity(method, requestId, call);
        var reached = false;
        try
        {
            using var pending = start(Options(timeout, activity, cancellationToken));
            reached = Reached(await pending.ResponseHeadersAsync.ConfigureAwait(false));
            var response = await pending.ResponseAsync.ConfigureAwait(false);
            Count(method, StatusCode.OK);
            return response;
        }
        catch (RpcException e)
        {
            throw Failed(method, requestId, e, reached, timeout, activity, cancellationToken);
        }
    }

    private async IAsyncEnumerable<TItem> ServerStreamAsync<TItem>(string method, string requestId, TimeSpan? timeout,
        Func<CallOptions, AsyncServerStreamingCall<TItem>> start, PythonCall? call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var activity = StartActivity(method, requestId, call);
        // Disposing the call (an early break included) cancels it; the server then interrupts the Python.
        using var pending = start(Options(timeout, activity, cancellationToken));
        var reached = false;
        while (true)
        {
            bool more;
            try
            {
                if (!reached)
                    reached = Reached(await pending.ResponseHeadersAsync.ConfigureAwait(false));
                more = await pending.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw Failed(method, requestId, e, reached, timeout, activity, cancellationToken);
            }
            if (!more)
                break;
            yield return pending.ResponseStream.Current;
        }
        Count(method, StatusCode.OK);
    }

    /// <summary>The server took the request: the service says so in its response headers (CallHandler.AcceptedHeader
    /// on the server), sent before any Python runs; a status sent in place of headers (a proxy, a refusing server)
    /// has no such header.</summary>
    private static bool Reached(Metadata headers) => headers.Get(AcceptedHeader) is not null;

    private static CallOptions Options(TimeSpan? timeout, Activity? activity, CancellationToken cancellationToken)
    {
        // The trace context travels in the call's metadata, whatever the HTTP handler does about it.
        Metadata? headers = null;
        if ((activity ?? Activity.Current) is { } context)
        {
            headers = [];
            DistributedContextPropagator.Current.Inject(context, headers, static (carrier, name, value) =>
            {
                if (carrier is Metadata metadata && name is not null && value is not null)
                    metadata.Add(name, value);
            });
        }
        DateTime? deadline = timeout is { } limit ? DateTime.UtcNow + limit : null;
        return new CallOptions(headers, deadline, cancellationToken);
    }

    private Activity? StartActivity(string method, string requestId, PythonCall? call)
    {
        var activity = Telemetry.Source.StartActivity($"{ServiceName}/{method}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", ServiceName);
            activity.SetTag("rpc.method", method);
            activity.SetTag("server.address", _options.Address);
            activity.SetTag("embeddedpython.request_id", requestId);
            if (call is not null)
            {
                activity.SetTag("python.module", call.Module);
                activity.SetTag("python.function", call.Function);
            }
        }
        return activity;
    }

    private Exception Failed(string method, string requestId, RpcException error, bool reached, TimeSpan? timeout, Activity? activity, CancellationToken cancellationToken)
    {
        Count(method, error.StatusCode);
        var exception = error.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested
            ? new OperationCanceledException("The request was cancelled; the server interrupts its code.", error, cancellationToken)
            : RemoteErrors.From(error, _options.Address!, reached, timeout);
        if (exception is RemoteExecutorException { MayHaveRun: true })
            Log.CallLost(_logger, method, requestId, error.StatusCode);
        else
            Log.CallFailed(_logger, method, requestId, error.StatusCode, error.Status.Detail);
        activity?.SetTag("rpc.grpc.status_code", (int)error.StatusCode);
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        return exception;
    }

    private static void Count(string method, StatusCode code) => Telemetry.Calls.Add(1,
        new KeyValuePair<string, object?>("rpc.method", method),
        new KeyValuePair<string, object?>("rpc.grpc.status_code", code.ToString()));

    private static RemoteExecutorException IncompleteStream() =>
        new("The server ended the stream without the request's result.", StatusCode.Internal, mayHaveRun: true);

    private static string NewRequestId() => Guid.NewGuid().ToString("N");
}
