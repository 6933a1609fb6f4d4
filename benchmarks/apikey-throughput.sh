#!/usr/bin/env bash
# One instructor's GET /api/webhooks per second with a partner API key and with an access token (RS256 signature +
# Redis denylist), alternating phases in the same run, with the API's CPU time per request and their ratio. Starts its
# own stack (local processes, random ports, rate limits off) and removes it afterwards.
# usage: benchmarks/apikey-throughput.sh [seconds per phase] [concurrent clients]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- apikeys "$@"
