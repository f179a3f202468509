#!/usr/bin/env bash
# Builds the solution and runs every test project. Ends with one line: "N passed, M failed".
# Extra arguments go to `dotnet test` (e.g. --filter).
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# Tests append figures worth seeing (the chaos suite's writes and faults) here; they are printed at the end.
export CONCORD_TEST_REPORT="$results/report.txt"

if ! dotnet build Concord.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed (the build failed)"
  exit 1
fi

dotnet test Concord.slnx -c Release --no-build -nologo --logger trx --results-directory "$results" "$@"
status=$?

passed=0
failed=0
reports=0
for report in "$results"/*.trx; do
  [ -e "$report" ] || continue
  reports=$((reports + 1))
  counters="$(grep -o '<Counters [^>]*>' "$report" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  e="$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")"
  t="$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")"
  a="$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done

# A test host that crashed writes no counters for what it did not run: never report that as green.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
if [ "$reports" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "0 passed, 1 failed (no test reports were written)"
  exit 1
fi

if [ -s "$CONCORD_TEST_REPORT" ]; then
  sort "$CONCORD_TEST_REPORT"
fi

echo "$passed passed, $failed failed"
exit "$status"
