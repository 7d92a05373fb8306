// The talk "Asynchronicity"'s "ES6 promises", as JavaScript is written today: a `fetch` per
// endpoint, all started at once on Node's one thread, joined by `Promise.all`, with
// `console.time` around the whole as async.html has it. Both talks' workloads: the six sites
// (each page's size and request time, then their sum, as the talk "Async Python" printed them)
// and, with `--workload jobs`, the jobs API over the talk's 100 zips (their TotalJobs summed).
//
// Node's `fetch` is undici's, whose pool for an origin has no bound on connections: every
// request opens its own at once, as the Rust models do (a browser holds six; see browser.mjs).
//
// The Rust model beside it: crates/fetch-smol (`join_all` is `Promise.all`). Run:
//   node js/talks/promises.mjs [--workload jobs] [--origin URL] [--json]

import * as common from "./common.mjs";

const args = common.parse();
const origin = args.origin ?? (await common.startOrigin());
const { eps, zips, jobsUrl, origin: base } = common.plan(args, origin);
const signal = () => AbortSignal.timeout(args.timeout * 1000);

async function fetchPage(ep) {
  const response = await fetch(ep, { signal: signal() });
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return { bytes: body.byteLength };
}

async function getJobs(zip) {
  const response = await fetch(jobsUrl(zip), { signal: signal() });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const result = await response.json();
  return { jobs: parseInt(result.TotalJobs, 10) };
}

/** `fn(arg)` timed, as the talk's `timeit` does; a failure becomes its row, not a rejection,
 * so that `Promise.all` waits for every endpoint. */
async function timeit(fn, arg, url) {
  const start = performance.now();
  const row = { url, bytes: null, jobs: null, error: null, error_kind: null };
  try {
    Object.assign(row, await fn(arg));
    if (row.jobs !== null && !Number.isInteger(row.jobs)) throw new Error("TotalJobs is not a number");
  } catch (error) {
    Object.assign(row, { jobs: null, error: String(error.cause ?? error), error_kind: common.errorKind(error) });
  }
  const end = performance.now();
  return { ...row, seconds: (end - start) / 1000, start_s: (start - common.started) / 1000 };
}

const out = common.talkConsole(args);
out.time("Total Jobs");
const rows =
  args.workload === "jobs"
    ? await Promise.all(zips.map((zip) => timeit(getJobs, zip, jobsUrl(zip))))
    : await Promise.all(eps.map((ep) => timeit(fetchPage, ep.url, ep.url)));

if (args.workload === "jobs") {
  const totalJobs = rows.reduce((sum, row) => sum + (row.jobs ?? 0), 0);
  out.log(totalJobs);
  out.timeEnd("Total Jobs");
} else {
  for (const row of rows) {
    const size = row.error === null ? row.bytes : row.error;
    out.log(`${row.url.padEnd(30)} ${String(size).padStart(10)} ${row.seconds}`);
  }
  out.log("-".repeat(10));
  out.log(rows.reduce((sum, row) => sum + row.seconds, 0));
}

const wall = (performance.now() - common.started) / 1000;
const failed = rows.filter((row) => row.error !== null);
for (const row of failed) process.stderr.write(`${row.url}: ${row.error}\n`);
const cpu = process.cpuUsage();
const report = common.report({
  model: "promises.mjs",
  workload: args.workload,
  origin: base,
  n: rows.length,
  rows,
  expectedBytes: new Map(eps.map((ep) => [ep.url, ep.bytes])),
});
common.finish(
  args,
  {
    ...report,
    wall_s: wall,
    user_s: cpu.user / 1e6,
    sys_s: cpu.system / 1e6,
    peak_rss_bytes: common.peakRss(),
    threads_at_end: common.threads(),
    timeout_s: args.timeout,
    time_scale: args.timeScale,
  },
  failed.length === 0 ? 0 : 1,
);
