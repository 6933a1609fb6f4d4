#!/usr/bin/env bash
# Webhook deliveries per second from one payments worker to a local receiver, and the delay from an outbox event to
# its first delivery attempt (p50/p99), for 2,000 events. Starts its own stack and removes it.
# usage: benchmarks/webhooks-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- webhooks
