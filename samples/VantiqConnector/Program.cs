// A drop-in for Vantiq's Python Execution Connector: reads serverConfig/server.config (or server.config, or the
// "EmbeddedPython:Vantiq" section of appsettings.json / environment variables such as EmbeddedPython__Vantiq__TargetServer), connects one
// websocket per source and runs each query's Python inside this process.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddVantiqConnector();
await builder.Build().RunAsync();
