using System.Net;
using EmbeddedPython.Autokitteh;
using GrpcServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// GrpcServer                     the executor service on 127.0.0.1:5005, entry points from ./code
// GrpcServer --port <port>       the same on another port (several servers on one machine)
// GrpcServer runner <flags>      also an autokitteh runner, started with autokitteh's runner flags
// GrpcServer bench [clients]     measures unary round trips over loopback HTTP/2
switch (args)
{
    case ["bench", ..]:
        return await Bench.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64);
    case ["runner", ..]:
        var line = RunnerCommandLine.Parse(args[1..]);
        if (line.ShowHelp || line.Error is not null)
        {
            Console.Error.WriteLine(line.Error ?? RunnerCommandLine.Usage);
            return line.Error is null ? 0 : 2;
        }
        return await ServeAsync(line.Port, line);
    case ["--port", var port]:
        return await ServeAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), null);
    default:
        return await ServeAsync(5005, null);
}

static async Task<int> ServeAsync(int port, RunnerCommandLine? runner)
{
    var app = Server.Build(port, runner);
    Console.WriteLine($"serving embeddedpython.executor.v1.PythonExecutor{(runner is null ? "" : " and autokitteh.user_code.v1.RunnerService")} on 127.0.0.1:{port}");
    await app.RunAsync();
    return Environment.ExitCode;
}

namespace GrpcServer
{
    /// <summary>The host: Kestrel speaking HTTP/2 without TLS (h2c) on loopback, the services mapped.</summary>
    internal static class Server
    {
        public static WebApplication Build(int port, RunnerCommandLine? runner)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
            builder.Services.AddPythonGrpcServices(options => options.CodeDirectory = Path.Combine(AppContext.BaseDirectory, "code"));
            if (runner is not null)
                builder.Services.AddAutokittehRunner(runner.ApplyTo);
            var app = builder.Build();
            app.MapPythonExecutor();
            if (runner is not null)
                app.MapAutokittehRunner();
            return app;
        }
    }
}
