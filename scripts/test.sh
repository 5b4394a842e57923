#!/usr/bin/env bash
# The README's test command: installs the test dependencies, runs every test project of the solution,
# the core suite on Python 3.9, 3.10, 3.12 and 3.13 too, then consumes the packed library from a fresh app and runs the NativeAOT sample's native binary. Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-dependencies.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test EmbeddedPython.sln -c Release "$@" 2>&1 | tee "$log" || status=$?
# The core suite again on every other supported Python, where they are installed (less the tests
# that pin an interpreter of their own).
for library in /root/.pyenv/versions/3.{9,10,12,13}.*/lib/libpython3.{9,10,12,13}.so.1.0; do
  [ -f "$library" ] || continue
  echo "== core tests on $library"
  EMBEDDEDPYTHON_LIBPYTHON="$library" dotnet test tests/EmbeddedPython.Tests -c Release --no-build --filter "Interpreter!=Pinned" 2>&1 | tee -a "$log" || status=$?
done
# The buffer tests against real numpy arrays, on Debian's Python where python3-numpy is installed.
debian_python=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0
if [ -f "$debian_python" ]; then
  echo "== numpy buffer tests on $debian_python"
  EMBEDDEDPYTHON_LIBPYTHON="$debian_python" dotnet test tests/EmbeddedPython.Tests -c Release --no-build --filter "FullyQualifiedName~NumpyBufferTests" 2>&1 | tee -a "$log" || status=$?
fi
package_status=0
scripts/package-smoke.sh || package_status=$?
aot_status=0
scripts/native-aot-smoke.sh || aot_status=$?
# Totals over the test projects ("Passed!  - Failed:     0, Passed:    63, Skipped: ...").
passed=$(grep -oE "Passed: +[0-9]+" "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE "Failed: +[0-9]+" "$log" | awk '{s += $2} END {print s + 0}')
[ "$package_status" -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
[ "$aot_status" -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))
echo "tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$package_status" -eq 0 ] && [ "$aot_status" -eq 0 ] && [ "$failed" -eq 0 ]
