#!/usr/bin/env bash
# Runs every test: unit tests, the AppHost model, and the whole stack started through Aspire in local-process mode
# (PostgreSQL from the machine's binaries, Garnet or redis-server). Ends with the totals on a line of their own:
# "N passed, N failed". Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Stack").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# Offline checks: kubectl builds the Kubernetes overlays (kustomize), npm tools validate their schemas and PromQL and
# the GitHub workflows, and every script is linted with ShellCheck. Missing Debian packages are installed here (as root or through sudo).
command -v kubectl >/dev/null || { echo "kubectl is required to build the Kubernetes overlays (see README)" >&2; exit 1; }
scripts/install-test-tools.sh || exit 1
for tool in tools/manifest-validation tools/workflow-validation; do
  npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error || exit 1
done

results="TestResults"
rm -rf "$results"
dotnet test Azora.sln --logger "trx;LogFileName=azora.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
counters=""
if [[ -n $trx ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
fi
count() { grep -o " $1=\"[0-9]*\"" <<<"$counters" | grep -o '[0-9]*' || echo 0; }
total=$(count total)
passed=$(count passed)
failed=$(($(count failed) + $(count error) + $(count timeout) + $(count aborted)))

echo "${passed} passed, ${failed} failed"
if [[ $status -eq 0 && ${total} -eq 0 ]]; then
  echo "no test ran" >&2
  status=1
fi
exit $status
