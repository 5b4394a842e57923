// A wasmCloud capability provider whose operations are answered by Python, running inside this process.
// A wasmCloud host starts this executable and writes HostData (one base64 line) to its standard input;
// PYTHON_MAIN / PYTHON_DISPATCH / VENV_PATH / PYTHON_PATH in the environment say which Python to load,
// as for the original Python provider. Without them it serves the bundled python/dispatch.py.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
// The host treats stdout as the provider's output stream; logs go to stderr, as wasmCloud providers do.
builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddWasmCloudProvider(options =>
{
    if (Environment.GetEnvironmentVariable("PYTHON_MAIN") is null && Environment.GetEnvironmentVariable("PYTHON_DISPATCH") is null)
        options.PythonDispatch = Path.Combine(AppContext.BaseDirectory, "python", "dispatch.py");
});

// Returns (exit code 0) once the host's shutdown request has been answered.
await builder.Build().RunAsync();
