#!/usr/bin/env bash
# Consumes EmbeddedPython the way a user does: packs it into a local folder, creates a fresh console app
# that references the package from there, and runs Python through it three ways in one process: a direct
# PythonExecutor, a bare ServiceCollection (no host, no configuration) and a generic host. Exits non-zero
# unless the app printed what its Python computed each way.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-smoke.$(date +%s)"   # new each run: the global package cache never serves a stale build

dotnet pack src/EmbeddedPython -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
dotnet pack src/EmbeddedPython.Grpc.Client -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
# The gRPC packages carry their Python halves and their own READMEs.
for package in EmbeddedPython.Grpc:embedded_python_grpc/entry.py EmbeddedPython.Autokitteh:embedded_python_autokitteh/session.py EmbeddedPython.Autokitteh:autokitteh/__init__.py; do
    name=${package%%:*}
    [ -f "$work/feed/$name.$version.nupkg" ] || dotnet pack "src/$name" -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
    listing=$(unzip -l "$work/feed/$name.$version.nupkg")
    grep -q "contentFiles/any/any/python-stdlib/${package#*:}" <<<"$listing"
    grep -qE " README.md$" <<<"$listing"
done
mkdir "$work/app"
cd "$work/app"
dotnet new console --framework net10.0 --name SmokeApp --output . >/dev/null
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="smoke" value="$work/feed" />
  </packageSources>
</configuration>
XML
dotnet add package EmbeddedPython --version "$version" >/dev/null
dotnet add package Microsoft.Extensions.Hosting --version 10.0.0 >/dev/null
cat > Program.cs <<'CS'
using EmbeddedPython;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

const string Code = "import embedded_python, sys\ny = x * 2\nv = '%d.%d' % sys.version_info[:2]";
var x21 = new Dictionary<string, object?> { ["x"] = 21 };

await using (var python = new PythonExecutor(new PythonExecutorOptions()))
{
    var result = await python.ExecuteAsync(Code, x21);
    Console.WriteLine($"package-smoke direct y={result.Values["y"]} python={result.Values["v"]}");
}

await using (var provider = new ServiceCollection().AddPythonExecutor().BuildServiceProvider())
{
    var result = await provider.GetRequiredService<IPythonExecutor>().ExecuteAsync(Code, x21);
    Console.WriteLine($"package-smoke service-collection y={result.Values["y"]}");
}

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPythonExecutor(o => o.DefaultTimeout = TimeSpan.FromSeconds(10));
using (var host = builder.Build())
{
    await host.StartAsync();
    var result = await host.Services.GetRequiredService<IPythonExecutor>().ExecuteAsync(Code, x21);
    Console.WriteLine($"package-smoke host y={result.Values["y"]}");
    await host.StopAsync();
}
CS
output=$(dotnet run --nologo 2>&1)
echo "$output"
for way in direct service-collection host; do
    grep -q "package-smoke $way y=42" <<<"$output"
done
echo "package smoke test: passed (EmbeddedPython $version from a local package folder: direct, bare ServiceCollection, generic host)"

# A second fresh app from the same package: one typed Python module (AdditionalFiles) through the source
# generator shipped in the package, whose build copies python/ to the output and makes it importable.
mkdir "$work/typed-app"
cd "$work/typed-app"
dotnet new console --framework net10.0 --name TypedSmokeApp --output . >/dev/null
cp "$work/app/nuget.config" .
dotnet add package EmbeddedPython --version "$version" >/dev/null
dotnet add package Microsoft.Extensions.Hosting --version 10.0.0 >/dev/null
mkdir python
cat > python/text_tools.py <<'PY'
def count_words(text: str, min_length: int = 1) -> int:
    """Counts the words of at least min_length characters."""
    return sum(1 for word in text.split() if len(word) >= min_length)
PY
sed -i 's|</Project>|  <ItemGroup><AdditionalFiles Include="python/text_tools.py" /></ItemGroup>\n</Project>|' TypedSmokeApp.csproj
cat > Program.cs <<'CS'
using EmbeddedPython.Generated;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPythonExecutor();
builder.Services.AddPythonModules();
using var host = builder.Build();
await host.StartAsync();
var words = await host.Services.GetRequiredService<ITextTools>().CountWordsAsync("one two three four", minLength: 4);
Console.WriteLine($"package-smoke generated count={words}");
await host.StopAsync();
CS
output=$(dotnet run --nologo 2>&1)
echo "$output"
grep -q "package-smoke generated count=2" <<<"$output"
test -f bin/Debug/net10.0/python/text_tools.py
echo "package smoke test: passed (a generated module from the packed package's source generator)"

# A third fresh app from the remote executor's package: it restores without ASP.NET Core, and a request to a
# port where no server listens fails saying it ran nowhere.
mkdir "$work/remote-app"
cd "$work/remote-app"
dotnet new console --framework net10.0 --name RemoteSmokeApp --output . >/dev/null
cp "$work/app/nuget.config" .
dotnet add package EmbeddedPython.Grpc.Client --version "$version" >/dev/null
cat > Program.cs <<'CS'
using EmbeddedPython;
using EmbeddedPython.Grpc.Client;
using Microsoft.Extensions.DependencyInjection;

await using var provider = new ServiceCollection()
    .AddRemotePythonExecutor(o => { o.Address = "static:///127.0.0.1:1"; o.MaxAttempts = 2; })
    .BuildServiceProvider();
try
{
    await provider.GetRequiredService<IPythonExecutor>().ExecuteAsync(new PythonRequest { Code = "y = 1" });
}
catch (RemoteExecutorException e) when (!e.MayHaveRun)
{
    Console.WriteLine($"package-smoke remote {e.StatusCode}: {e.Message}");
}
CS
output=$(dotnet run --nologo 2>&1)
echo "$output"
grep -q "package-smoke remote Unavailable: .*ran nowhere" <<<"$output"
if grep -q "Microsoft.AspNetCore" bin/Debug/net10.0/RemoteSmokeApp.runtimeconfig.json; then
    echo "package smoke test: the remote executor's package pulled in ASP.NET Core" >&2
    exit 1
fi
echo "package smoke test: passed (the remote executor from its package, without ASP.NET Core)"
