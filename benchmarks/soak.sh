#!/usr/bin/env bash
# The soak: mixed traffic from simulated clients on two API replicas while PostgreSQL, the cache, the payments worker,
# an API replica and a partner's webhook endpoint fail on a schedule; then an audit from the database and the receivers.
# Starts its own stack (local processes, own data directory, random ports) and removes it. Prints the audit and writes
# it to benchmarks/results/soak-<UTC timestamp>.md; exits non-zero when an invariant broke.
# usage: benchmarks/soak.sh [minutes, default 10 | --quick (2 minutes)]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release benchmarks/Soak -v quiet -nologo
exec dotnet run -c Release --no-build --project benchmarks/Soak -- "${1:-10}" benchmarks/results
