#!/usr/bin/env bash
# Consumes EmbeddedPython the way a user does: packs it into a local folder, creates a fresh console app
# that references the package from there, and runs Python through it. Exits non-zero unless the app
# printed what its Python computed.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-smoke.$(date +%s)"   # new each run: the global package cache never serves a stale build

dotnet pack src/EmbeddedPython -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
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
cat > Program.cs <<'CS'
using EmbeddedPython;

await using var python = new PythonExecutor(new PythonExecutorOptions());
var result = await python.ExecuteAsync("import embedded_python, sys\ny = x * 2\nv = '%d.%d' % sys.version_info[:2]", new Dictionary<string, object?> { ["x"] = 21 });
Console.WriteLine($"package-smoke y={result.Values["y"]} python={result.Values["v"]}");
CS
output=$(dotnet run --nologo 2>&1)
echo "$output"
grep -q "package-smoke y=42" <<<"$output"
echo "package smoke test: passed (EmbeddedPython $version from a local package folder)"
