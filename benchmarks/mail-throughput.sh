#!/usr/bin/env bash
# Mails per second from one payments worker's SMTP sender to the local catcher (smtp4dev), and the delay from the
# causing commit to the mail arriving (p50/p99), for a burst of 2,000 messages and then one every 50 ms.
# Starts its own stack and removes it.
# usage: benchmarks/mail-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project benchmarks/ApiThroughput -- mail
