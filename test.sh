#!/usr/bin/env bash
# Runs every test project (NUnit) and ends with one plain line: "N passed, N failed, N skipped".
# Usage: ./test.sh [extra dotnet test arguments]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
results="$here/TestResults"
rm -rf "$results"
dotnet test MoESim.sln -c Release --nologo --logger "trx" --results-directory "$results" "$@"
status=$?
passed=0; failed=0; skipped=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ ${#trx_files[@]} -eq 0 ]; then
  echo "no test results were written (build failure?)" >&2
  failed=$((failed + 1))
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
