#!/usr/bin/env bash
# Publishes samples/NativeAot as a NativeAOT binary (PublishAot=true: no JIT, trimmed, reflection-based JSON
# off) and runs it: a request, typed calls, plain and Task-returning callbacks and a stream, each checked by the
# sample itself. Exits non-zero if publishing warned or failed, or if the binary reported a failed check.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet publish samples/NativeAot -c Release -r linux-x64 -o "$out" --nologo -v quiet
(cd "$out" && ./NativeAot)
