using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Tests.FakeVantiq;

/// <summary>A document the fake server serves through its REST endpoints.</summary>
public sealed record FakeDocument(string Content, string ModifiedAt, bool IsIncomplete = false, long? ContentSize = null);

/// <summary>
/// A Vantiq server as the extension-source protocol sees it (Vantiq spec 1, 3.5), written from the spec:
/// the websocket at /api/v1/wsock/websocket (validate, connectExtension, configureExtension, then queries
/// and their replies) and the documents REST endpoints, on 127.0.0.1 through Kestrel.
/// </summary>
public sealed class FakeVantiqServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<FakeSession> _sessions = Channel.CreateUnbounded<FakeSession>();
    private int _refusals;

    private FakeVantiqServer(WebApplication app) => _app = app;

    /// <summary>The token the server accepts.</summary>
    public string Token { get; set; } = "test-token";

    /// <summary>The source's configuration document, sent as configureExtension's object.config.</summary>
    public JsonNode Config { get; set; } = JsonNode.Parse("""{"config": {"pythonExecConfig": {"general": {}}}}""")!;

    /// <summary>Status-only messages sent after connectExtension, before configureExtension.</summary>
    public List<string> StatusesBeforeConfigure { get; } = [];

    /// <summary>Send configureExtension (and queries) as binary frames, as the real server apparently does.</summary>
    public bool Binary { get; set; }

    /// <summary>When false, the server reads validate and never answers it.</summary>
    public bool AnswerValidate { get; set; } = true;

    /// <summary>Every connection attempt's handshake frames (validate, connectExtension), in order.</summary>
    public ConcurrentQueue<JsonNode> Handshakes { get; } = new();

    /// <summary>Times at which connectExtension arrived.</summary>
    public ConcurrentQueue<DateTime> ConnectTimes { get; } = new();

    /// <summary>Document requests: "GET path auth".</summary>
    public ConcurrentQueue<string> HttpLog { get; } = new();

    /// <summary>Documents by name.</summary>
    public ConcurrentDictionary<string, FakeDocument> Documents { get; } = new();

    /// <summary>The base URL (http://127.0.0.1:port).</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The next connectExtension calls are answered with 400 this many times.</summary>
    public void RefuseConnects(int count) => Interlocked.Exchange(ref _refusals, count);

    /// <summary>Starts the server on a free port of 127.0.0.1; with <paramref name="certificate"/>, over TLS (wss/https).</summary>
    public static async Task<FakeVantiqServer> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (certificate is null)
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        else
            builder.WebHost.UseKestrelHttpsConfiguration().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeVantiqServer(app);
        app.UseWebSockets();
        app.Map("/api/v1/wsock/websocket", server.AcceptAsync);
        app.MapGet("/api/v1/resources/documents/{**name}", server.DocumentInfo);
        app.MapGet("/docs/{**name}", server.DocumentContent);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        server.BaseUri = new Uri(address);
        return server;
    }

    /// <summary>The next session that reached configureExtension.</summary>
    public async Task<FakeSession> NextSessionAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _sessions.Reader.ReadAsync(cts.Token);
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var session = new FakeSession(socket, Binary);
        var validate = await session.ReceiveAsync();
        if (validate is null)
            return;
        Handshakes.Enqueue(validate);
        if (!AnswerValidate)
        {
            await session.DrainAsync();
            return;
        }
        if ((string?)validate["object"] != Token)
        {
            await session.SendAsync("""{"status": 401, "body": [{"code": "io.vantiq.authentication.failed", "message": "bad token", "params": []}]}""");
            await session.DrainAsync();
            return;
        }
        await session.SendAsync("""{"status": 200, "contentType": "application/json", "body": {"anonymous": false, "userInfo": {"username": "test"}}}""");
        var connect = await session.ReceiveAsync();
        if (connect is null)
            return;
        Handshakes.Enqueue(connect);
        ConnectTimes.Enqueue(DateTime.UtcNow);
        if (Interlocked.Decrement(ref _refusals) >= 0)
        {
            await session.SendAsync("""{"status": 400, "body": [{"code": "io.vantiq.source.inactive", "message": "Source does not have an associated stream", "params": []}]}""");
            await session.DrainAsync();
            return;
        }
        foreach (var status in StatusesBeforeConfigure)
            await session.SendAsync(status);
        var source = (string?)connect["resourceId"];
        var configure = new JsonObject
        {
            ["op"] = "configureExtension", ["resourceName"] = "sources", ["resourceId"] = source, ["isSystemResource"] = true,
            ["parameters"] = new JsonObject(), ["contentType"] = "application/json", ["skipMonitoring"] = false, ["isExternal"] = false,
            ["address"] = Guid.NewGuid().ToString(), ["messageHeaders"] = new JsonObject(),
            ["object"] = new JsonObject { ["config"] = Config.DeepClone() },
        };
        await session.SendAsync(configure.ToJsonString());
        session.Source = source!;
        await _sessions.Writer.WriteAsync(session);
        await session.RunAsync();
    }

    private IResult DocumentInfo(HttpContext context, string name)
    {
        HttpLog.Enqueue($"GET {context.Request.Path} {context.Request.Headers.Authorization}");
        if (!Documents.TryGetValue(name, out var document))
        {
            return Results.Json(new[] { new { code = "io.vantiq.resource.not.found",
                message = "The requested instance ('{0}') of the {1} resource could not be found.", @params = new[] { name, "system.documents" } } },
                statusCode: 404);
        }
        return Results.Json(new Dictionary<string, object?>
        {
            ["name"] = name, ["contentSize"] = document.ContentSize ?? Encoding.UTF8.GetByteCount(document.Content),
            ["isIncomplete"] = document.IsIncomplete, ["content"] = "/docs/" + name, ["ars_modifiedAt"] = document.ModifiedAt,
        });
    }

    private IResult DocumentContent(HttpContext context, string name)
    {
        HttpLog.Enqueue($"GET {context.Request.Path} {context.Request.Headers.Authorization}");
        return Documents.TryGetValue(name, out var document) ? Results.Text(document.Content) : Results.NotFound();
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(bound.Token);
        await _app.DisposeAsync();
    }
}
