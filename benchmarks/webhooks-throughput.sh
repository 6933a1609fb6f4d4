#!/usr/bin/env bash
# Webhook deliveries per second from one payments worker to a local receiver, the CPU time a delivery costs the worker
# and PostgreSQL, and the delay from an outbox event to its first delivery attempt (p50/p99/last), for bursts of 2,000
# events (on the worker just started, untimed until its JIT is quiet, then three) and then one event every 50 ms.
# Starts its own stack (no Aspire proxy in front of PostgreSQL) and removes it.
# usage: benchmarks/webhooks-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- webhooks
