#!/usr/bin/env bash
# Logins and authenticated GET /api/auth/profile per second on this machine, the API's CPU time per request, and the
# raw password-hash rate measured in the same run. Starts its own stack (local processes, random ports, rate limits
# off) and removes it afterwards; a running local stack is not disturbed.
# usage: benchmarks/auth-throughput.sh [seconds per phase] [concurrent clients]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- auth "$@"
