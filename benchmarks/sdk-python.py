#!/usr/bin/python3
"""List-courses requests per second through the Python SDK and through raw httpx, in one run.

    /usr/bin/python3 benchmarks/sdk-python.py [--url http://localhost:5080] [--rounds 5] [--requests 300] [--limit 20]

Both sides send the same anonymous GET /api/education/courses?page=1&limit=N, one at a time on one kept-alive
connection, and both read the JSON (raw: response.json(); SDK: the typed PagedResponseOfCourseSummary with its
CourseSummary dataclasses, dates and UUIDs). Phases alternate SDK/raw, raw/SDK round after round so a drift of the
shared machine falls on both; the figures are the sums over every round, with the SDK/raw ratio and the client CPU
each request costs (the SDK's own overhead, steadier than wall time on a noisy machine). Not part of the test run.
Anonymous catalog requests count against the API's per-address limit (100,000 an hour in Development): the defaults
send about 3,100.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sdk" / "python"))

import httpx  # noqa: E402

from azora_sdk import AzoraClient  # noqa: E402


def phase(call: Callable[[], int], requests: int) -> Tuple[float, float]:
    """Wall and process-CPU seconds for `requests` sequential calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        call()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("AZORA_API_URL", "http://localhost:5080"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300, help="requests per phase")
    parser.add_argument("--limit", type=int, default=20, help="courses per page")
    args = parser.parse_args()
    base = args.url.rstrip("/")

    sdk = AzoraClient(base, max_retries=0)  # a 429 must fail the run, not hide in a wait
    raw = httpx.Client(timeout=30.0)

    def through_sdk() -> int:
        return len(sdk.list_courses(page=1, limit=args.limit).data)

    def through_httpx() -> int:
        response = raw.get(f"{base}/api/education/courses", params={"page": 1, "limit": args.limit})
        response.raise_for_status()
        return len(response.json()["data"])

    expected = through_httpx()
    if expected == 0 or through_sdk() != expected:
        print(f"the two clients disagree or the catalog is empty ({expected} courses)", file=sys.stderr)
        return 1
    phase(through_sdk, 50)
    phase(through_httpx, 50)

    totals = {"sdk": [0.0, 0.0], "httpx": [0.0, 0.0]}
    ratios: List[float] = []
    print(f"GET {base}/api/education/courses?page=1&limit={args.limit} ({expected} courses a page), "
          f"{args.rounds} rounds of {args.requests} requests a side, one connection each")
    for round_ in range(1, args.rounds + 1):
        order = [("sdk", through_sdk), ("httpx", through_httpx)]
        if round_ % 2 == 0:
            order.reverse()
        rates = {}
        for name, call in order:
            wall, cpu = phase(call, args.requests)
            totals[name][0] += wall
            totals[name][1] += cpu
            rates[name] = args.requests / wall
        ratios.append(rates["sdk"] / rates["httpx"])
        print(f"  round {round_}: SDK {rates['sdk']:7.0f}/s   httpx {rates['httpx']:7.0f}/s   SDK/httpx {ratios[-1]:6.1%}")

    n = args.rounds * args.requests
    sdk_rate, raw_rate = n / totals["sdk"][0], n / totals["httpx"][0]
    sdk_cpu, raw_cpu = totals["sdk"][1] / n * 1e6, totals["httpx"][1] / n * 1e6
    print(f"SDK    {sdk_rate:7.0f} req/s   client CPU {sdk_cpu:6.0f} µs/request")
    print(f"httpx  {raw_rate:7.0f} req/s   client CPU {raw_cpu:6.0f} µs/request")
    print(f"SDK/httpx throughput {sdk_rate / raw_rate:.1%} (median round {statistics.median(ratios):.1%}); "
          f"the SDK adds {sdk_cpu - raw_cpu:.0f} µs of client CPU per request")
    sdk.close()
    raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
