// A wasmCloud capability provider whose operations are answered by Python, running inside this process.
// A wasmCloud host starts this executable and writes HostData (one base64 line) to its standard input;
// PYTHON_MAIN / PYTHON_DISPATCH / VENV_PATH / PYTHON_PATH in the environment (or, from a 1.x host, the
// provider's named config) say which Python to load, as for the original Python provider. The bundled
// python/dispatch.py is the original's example: PYTHON_DISPATCH=<this folder>/python/dispatch.py.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
// The host treats stdout as the provider's output stream; logs go to stderr, as wasmCloud providers do.
builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddWasmCloudProvider();

// Returns (exit code 0) once the host's shutdown request has been answered.
await builder.Build().RunAsync();
