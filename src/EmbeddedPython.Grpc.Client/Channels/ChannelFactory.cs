using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Grpc.Client.Channels;

/// <summary>Builds the one <see cref="GrpcChannel"/> of a remote executor: gRPC's own resolver and balancer, a retry
/// policy for <c>UNAVAILABLE</c>, TLS and the bearer token as call credentials.</summary>
internal static class ChannelFactory
{
    /// <summary>The channel, and the resolvers it uses for <c>dns:</c> and <c>static:</c> (the caller disposes them after it).</summary>
    public static (GrpcChannel Channel, ServiceProvider? Resolvers) Create(RemotePythonExecutorOptions options, RemoteAddress address, ILoggerFactory? loggerFactory)
    {
        var handler = new SocketsHttpHandler
        {
            // Many calls in flight to one server: more than one HTTP/2 connection once one is full.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        options.ConfigureHttpHandler?.Invoke(handler);

        var serviceConfig = new ServiceConfig();
        serviceConfig.LoadBalancingConfigs.Add(options.LoadBalancingPolicy == "pick_first" ? new PickFirstConfig() : new RoundRobinConfig());
        // Retried: UNAVAILABLE before the server sent response headers. The service sends them before any
        // Python runs, and gRPC commits a call (never retries it) once it has headers.
        if (options.MaxAttempts > 1)
        {
            serviceConfig.MethodConfigs.Add(new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = options.MaxAttempts,
                    InitialBackoff = options.InitialBackoff,
                    MaxBackoff = options.InitialBackoff * 5,
                    BackoffMultiplier = 1.5,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            });
        }

        var channelOptions = new GrpcChannelOptions
        {
            HttpHandler = handler,
            ServiceConfig = serviceConfig,
            LoggerFactory = loggerFactory,
            MaxRetryAttempts = Math.Max(options.MaxAttempts, 1),
            DisposeHttpClient = true,
        };
        var resolvers = address.Balanced ? Resolvers(options, address) : null;
        channelOptions.ServiceProvider = resolvers;
        var transport = address.Tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        if (options.BearerTokenProvider is { } tokens)
        {
            channelOptions.Credentials = ChannelCredentials.Create(transport, CallCredentials.FromInterceptor(async (context, metadata) =>
            {
                var token = await tokens(context.CancellationToken);
                if (!string.IsNullOrEmpty(token))
                    metadata.Add("Authorization", "Bearer " + token);
            }));
            channelOptions.UnsafeUseInsecureChannelCallCredentials = !address.Tls && options.AllowBearerTokenWithoutTls;
        }
        else if (address.Balanced)
        {
            channelOptions.Credentials = transport;
        }
        return (GrpcChannel.ForAddress(address.Target, channelOptions), resolvers);
    }

    private static ServiceProvider Resolvers(RemotePythonExecutorOptions options, RemoteAddress address)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new DnsResolverFactory(options.DnsRefreshInterval));
        var endpoints = address.StaticEndpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToList();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => endpoints));
        return services.BuildServiceProvider();
    }
}
