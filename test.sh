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

# The capacity-planning studies in notebooks/ must run: each is one test (dotnet-repl, pinned in
# .config/dotnet-tools.json, runs it headless against the Release build made above; a failing
# cell makes its exit code non-zero). Executed copies go to TestResults/notebooks/.
# Skipped when a --filter narrows the run to some tests.
filtered=0
for arg in "$@"; do case "$arg" in --filter|--filter=*) filtered=1 ;; esac; done
notebooks=(notebooks/*.ipynb)
if [ ${#notebooks[@]} -gt 0 ] && [ $filtered -eq 0 ]; then
  if dotnet tool restore >/dev/null 2>&1; then
    mkdir -p "$results/notebooks"
    for nb in "${notebooks[@]}"; do
      name=$(basename "$nb")
      if (cd notebooks && dotnet repl --run "$name" --exit-after-run --output-path "$results/notebooks/$name") >"$results/notebooks/$name.log" 2>&1; then
        passed=$((passed + 1)); echo "notebook passed: $nb"
      else
        failed=$((failed + 1)); echo "notebook FAILED: $nb (log: TestResults/notebooks/$name.log)" >&2
        tail -20 "$results/notebooks/$name.log" >&2
      fi
    done
  else
    echo "dotnet tool restore failed: notebooks not run" >&2
    failed=$((failed + ${#notebooks[@]}))
  fi
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
