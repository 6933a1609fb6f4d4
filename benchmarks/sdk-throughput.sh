#!/usr/bin/env bash
# List-courses calls per second through Azora.Client (the .NET SDK) against a raw HttpClient + System.Text.Json on the
# same URL, in alternating 2-second rounds of the same run, and their ratio. Runs against an API that is already up
# (the developer stack at http://localhost:5080 unless given); anonymous catalog reads count against that address's
# hourly limit, so keep the rounds few.
# usage: benchmarks/sdk-throughput.sh [rounds] [concurrent callers] [API address]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- sdk "$@"
