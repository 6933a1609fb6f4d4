#!/usr/bin/env bash
# What a valid access token costs per request: GET / anonymous and with a bearer token, and GET /api/auth/profile, with
# wrk against a Release API in Production on its own port (rate limits on, limits too high to refuse anyone), talking
# to its own stack's PostgreSQL and cache directly. AZORA_BENCHMARK_BEFORE=<another checkout with Azora.Api built in
# Release> measures that API first in the same run and prints after/before ratios.
# usage: benchmarks/token-throughput.sh [seconds per path] [wrk connections]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || apt-get install -y wrk
dotnet build -c Release Azora.Api -v q -nologo
exec dotnet run -c Release --project benchmarks/ApiThroughput -- tokens "$@"
