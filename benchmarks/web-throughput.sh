#!/usr/bin/env bash
# The portal's server-rendered catalog page (GET /courses) and a course page against the API calls they make (the
# cached course list and the course), requests per second and p99 with wrk in the same run, and the catalog page's
# time to first byte and to `load` in Chromium (median and p95 of first visits). The API and the portal run as Release
# builds on ports of their own, reaching each other, PostgreSQL and the cache directly (no Aspire proxy); the rest
# comes from its own stack (local processes, random ports, rate limits off), removed afterwards.
# usage: benchmarks/web-throughput.sh [seconds per path] [wrk connections] [browser loads]   (default 10 32 50)
set -euo pipefail
cd "$(dirname "$0")/.."

# The load generator and the browser are Debian packages.
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x "${AZORA_CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y "${missing[@]}" || { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y "${missing[@]}"; }
fi

# Building the benchmark builds the AppHost's projects in Release too: the API and the portal run from those outputs.
exec dotnet run -c Release --project benchmarks/ApiThroughput -- web "$@"
