#!/usr/bin/env bash
# Azora's performance targets in one command: Azora's requests per second as a share of a bare in-memory ASP.NET Core app
# serving the same bytes (benchmarks/InMemoryCeiling), with rate limits off and on, anonymous and with a bearer token;
# the uncached instructor list (req/s, one client's p50/p99); outbox event to first webhook attempt (steady and a burst
# of 2,000); Stripe events applied by one worker; and PostgreSQL alone (pgbench simple-update) on the same server.
# Builds Release, starts its own stack (local processes, random ports; PostgreSQL, the cache and the payments worker
# without Aspire's proxy), runs the API from its Release output in Production, measures with wrk -t1 -c32, prints one
# table with the aims and whether each is met, writes it to benchmarks/results/latest.md, and removes the stack.
# A missed aim is reported, not a failure; a broken phase (failed requests, lost events) exits non-zero.
# usage: benchmarks/run.sh [seconds per phase | --quick]   (default 10 s per phase, a few minutes in all; --quick: 3 s)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
case "${1:-}" in
  "") ;;
  --quick) seconds=3 ;;
  *[!0-9]* | 0) echo "usage: benchmarks/run.sh [seconds per phase | --quick]" >&2; exit 2 ;;
  *) seconds=$1 ;;
esac

# The load generator is Debian's wrk; pgbench comes with PostgreSQL's server packages, which the local stack runs.
if ! command -v wrk >/dev/null 2>&1; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "installing wrk from Debian's packages"
  "${sudo[@]}" apt-get install -y -qq wrk >/dev/null || { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq wrk >/dev/null; }
fi
if [[ -z ${PGBENCH:-} ]]; then
  PGBENCH=$(command -v pgbench || compgen -G '/usr/lib/postgresql/*/bin/pgbench' | sort -V | tail -n 1 || true)
fi
[[ -x ${PGBENCH:-} ]] || { echo "pgbench not found: install PostgreSQL's server packages (the local stack needs them too), or set PGBENCH" >&2; exit 1; }
export PGBENCH

# The benchmark's build builds the AppHost's projects and the ceiling app in Release: the services run from those outputs.
dotnet build -c Release -v quiet -nologo benchmarks/ApiThroughput
exec dotnet run -c Release --no-build --project benchmarks/ApiThroughput -- ceiling "$seconds"
