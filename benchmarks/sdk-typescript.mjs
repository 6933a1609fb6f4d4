#!/usr/bin/env node
// Requests per second for the catalog's first page (GET /api/education/courses) through the TypeScript SDK
// (client.listCourses()) against plain fetch of the same URL, both reading the JSON body, in the same run with the
// phases interleaved (raw, sdk, raw, sdk, …) so load on the shared machine hits both alike. Prints each phase, the
// medians, the ratio (the SDK's overhead), and the client's CPU time a request, the steadier figure on a busy machine.
// Then the same against a local server answering a canned copy of the page, where the client's own cost is most of
// each request.
//
//   (cd sdk/typescript && npm ci && npm run build)
//   node benchmarks/sdk-typescript.mjs                     # the local stack at http://localhost:5080
//   AZORA_API_URL=http://127.0.0.1:PORT REQUESTS=1000 CONCURRENCY=8 PHASES=3 node benchmarks/sdk-typescript.mjs
//
// Anonymous requests count against the API's per-address limit (100,000 an hour in Development, shared by every local
// client), so the run asks for a bounded number of requests and stops before it when too few remain.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "../sdk/typescript/dist/index.js");
const { AzoraClient } = await import(sdk).catch(() => {
  console.error("Build the SDK first: (cd sdk/typescript && npm ci && npm run build)");
  process.exit(2);
});

const baseUrl = (process.env.AZORA_API_URL ?? "http://localhost:5080").replace(/\/$/, "");
const requests = Number(process.env.REQUESTS ?? 500);
const concurrency = Number(process.env.CONCURRENCY ?? 8);
const phases = Number(process.env.PHASES ?? 6);
const warmup = 200;

/**
 * Runs `count` calls with `concurrency` in flight; returns requests per second, and this process's CPU time per
 * request in microseconds (the client's own cost, which other load on the machine disturbs far less than it does
 * throughput).
 */
async function measure(call, count) {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return { rps: count / ((performance.now() - start) / 1000), cpuMicros: (used.user + used.system) / count };
}

async function compare(label, url) {
  const client = new AzoraClient({ baseUrl: url, rateLimit: { maxRetries: 0 } });
  const raw = async () => {
    const response = await fetch(`${url}/api/education/courses`);
    if (response.status !== 200) {
      throw new Error(`raw fetch answered ${response.status}: ${await response.text()}`);
    }
    await response.json();
  };
  const viaSdk = () => client.listCourses();

  await measure(raw, warmup);
  await measure(viaSdk, warmup);
  const results = { raw: [], sdk: [] };
  const cpu = { raw: [], sdk: [] };
  console.log(`\n${label}: ${url}/api/education/courses, ${requests} requests a phase, ${concurrency} in flight`);
  for (let phase = 1; phase <= phases; phase++) {
    for (const [kind, call] of [["raw", raw], ["sdk", viaSdk]]) {
      const { rps, cpuMicros } = await measure(call, requests);
      results[kind].push(rps);
      cpu[kind].push(cpuMicros);
      console.log(`  phase ${phase} ${kind.padEnd(3)} ${rps.toFixed(0).padStart(7)} req/s ${cpuMicros.toFixed(0).padStart(6)} µs client CPU a request`);
    }
  }

  // Each phase pair ran back to back, so its ratio is the least disturbed by load that drifts during the run.
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const [rawRps, sdkRps] = [median(results.raw), median(results.sdk)];
  const pairRatio = median(results.sdk.map((sdkPhase, index) => sdkPhase / results.raw[index]));
  console.log(`  median raw fetch ${rawRps.toFixed(0)} req/s, SDK ${sdkRps.toFixed(0)} req/s`);
  console.log(`  SDK/raw, median of the ${phases} back-to-back pairs: ${(pairRatio * 100).toFixed(1)} %`);
  const [rawCpu, sdkCpu] = [median(cpu.raw), median(cpu.sdk)];
  console.log(`  client CPU a request: raw fetch ${rawCpu.toFixed(0)} µs, SDK ${sdkCpu.toFixed(0)} µs (+${(sdkCpu - rawCpu).toFixed(0)} µs, ${(sdkCpu / rawCpu * 100).toFixed(0)} %)`);
}

// The per-address budget: stop rather than spend the last of it (other local clients share it).
const probe = await fetch(`${baseUrl}/api/education/courses`);
const page = await probe.text();
const remaining = Number(probe.headers.get("X-RateLimit-Remaining") ?? Infinity);
const needed = (warmup * 2 + requests * 2 * phases) * 1.1;
if (probe.status !== 200 || remaining < needed) {
  console.error(`The API answered ${probe.status} with ${remaining} requests left in its window; this run needs ${Math.ceil(needed)}.`);
  process.exit(1);
}

await compare("the API", baseUrl);

// A canned copy of the same page from a separate process, so the figures show the client's own cost.
const server = spawn(process.execPath, ["-e", `
  const body = Buffer.from(process.env.PAGE);
  require("node:http").createServer((_, res) => res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length }).end(body))
    .listen(0, "127.0.0.1", function () { console.log(this.address().port); });
`], { env: { ...process.env, PAGE: page }, stdio: ["ignore", "pipe", "inherit"] });
const [port] = await once(server.stdout, "data");
try {
  await compare("a canned page (client cost)", `http://127.0.0.1:${String(port).trim()}`);
} finally {
  server.kill();
}
