#!/usr/bin/env bash
# Measures, on this machine, (1) seconds from the run command to both services healthy, built and warm, and
# (2) the wall time of the whole test suite. Run it with no stack running: it uses the fixed local ports 5080/5081.
# usage: benchmarks/startup-and-tests.sh [runs]   (default 3 start-ups; prints each and the median)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}

for port in 5080 5081 15080; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use: stop the running stack first" >&2
    exit 2
  fi
done

dotnet build Azora.sln -v q -nologo >/dev/null

healthy() { curl -fsS -o /dev/null "http://localhost:$1/health"; }

timings=()
for run in $(seq 1 "$runs"); do
  log=$(mktemp)
  start=$(date +%s.%N)
  setsid dotnet run --project Azora.AppHost --no-build >"$log" 2>&1 &
  apphost=$!
  for _ in $(seq 1 1200); do
    if healthy 5080 2>/dev/null && healthy 5081 2>/dev/null; then break; fi
    if ! kill -0 "$apphost" 2>/dev/null; then cat "$log" >&2; exit 1; fi
    sleep 0.1
  done
  end=$(date +%s.%N)
  if ! healthy 5080 || ! healthy 5081; then echo "the stack did not become healthy; log: $log" >&2; exit 1; fi
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  timings+=("$seconds")
  printf 'start-up %d: both services healthy after %.1f s\n' "$run" "$seconds"
  kill -TERM "$apphost"
  wait "$apphost" || true
  rm -f "$log"
done
median=$(printf '%s\n' "${timings[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
printf 'start-up median over %d runs: %.1f s\n' "$runs" "$median"

start=$(date +%s.%N)
./scripts/test.sh >/tmp/azora-benchmark-tests.log 2>&1 || { tail -n 30 /tmp/azora-benchmark-tests.log; exit 1; }
end=$(date +%s.%N)
printf 'test suite: %s in %.0f s wall time\n' "$(tail -n 1 /tmp/azora-benchmark-tests.log)" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
