#!/usr/bin/env bash
# The README's test command: installs the test dependencies, then builds and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-dependencies.sh
dotnet test EmbeddedPython.sln -c Release --logger "console;verbosity=normal" "$@"
