#!/usr/bin/env bash
# Cached GET /api/education/courses per second against the trivial GET / of the same API; over 10,000 courses, p50/p99
# latency of uncached anonymous lists, and of the staff view (a signed-in instructor and admin, never cached) with its
# requests per second from one client and from several. Starts its own stack (local processes, random ports, rate limits off)
# and removes it afterwards.
# usage: benchmarks/catalog-throughput.sh [seconds per phase] [concurrent clients]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- catalog "$@"
