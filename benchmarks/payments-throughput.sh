#!/usr/bin/env bash
# Stripe webhook events per second through one payments worker (signature check + database transaction), and the
# seconds from payment intent to enrollment through the Stripe emulator. Starts its own stack and removes it.
# usage: benchmarks/payments-throughput.sh [concurrent senders]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- payments 0 "${1:-8}"
