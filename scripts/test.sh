#!/usr/bin/env bash
# Runs every test: unit tests, the AppHost model, the whole stack started through Aspire in local-process mode
# (PostgreSQL from the machine's binaries, Garnet or redis-server), the offline deployment checks, and the end-to-end
# suite (Azora.EndToEnd) against its own local stack, then once more its smoke journeys against a local stack run as a
# new production (Production environment, no data). Ends with the totals of every test project on a line of their
# own: "N passed, N failed". Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Stack") and leave
# out the production smoke run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# Offline checks: kubectl builds the Kubernetes overlays (kustomize), npm tools validate their schemas and PromQL and
# the GitHub workflows and lint the OpenAPI document (Spectral, Redocly), axe-core checks the accessibility of every
# page the browser journeys visit, and every script is linted with ShellCheck.
# Missing Debian packages (ShellCheck, and chromium for the end-to-end suite's browser step) are installed here, as
# root or through sudo.
command -v kubectl >/dev/null || { echo "kubectl is required to build the Kubernetes overlays (see README)" >&2; exit 1; }
scripts/install-test-tools.sh || exit 1
for tool in tools/manifest-validation tools/workflow-validation tools/openapi-lint tools/axe sdk/typescript; do
  npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error || exit 1
done
# The TypeScript SDK is compiled before its tests (Azora.Tests/Sdk) run it against the stack.
npm run build --prefix sdk/typescript --silent || exit 1

results="$PWD/TestResults"
rm -rf "$results"
export AZORA_E2E_ARTIFACTS="$results/e2e-artifacts"
# One test project at a time: each starts its own stack, and two at once starve a 2-core machine.
dotnet build Azora.sln || exit 1
dotnet test Azora.sln --no-build -m:1 --logger trx --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# A new production's first release: the journeys deploy.yml runs after promoting must pass on an empty production and
# leave it empty (Azora.EndToEnd/Support/LocalStack.cs).
if [[ $# -eq 0 ]]; then
  AZORA_E2E_ENVIRONMENT=Production dotnet test Azora.EndToEnd --no-build --filter Category=Smoke \
    --logger "trx;LogFileName=e2e-production-smoke.trx" --logger "console;verbosity=normal" --results-directory "$results"
  smoke=$?
  [[ $status -eq 0 ]] && status=$smoke
fi

# The totals of every project's TRX report, with the failed tests named.
scripts/test-summary.sh "$results"
summary=$?
[[ $status -eq 0 ]] && status=$summary
exit $status
