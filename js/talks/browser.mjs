// The talk "Asynchronicity"'s async.html, run where it was written to run: in a browser. Headless
// Chromium (the system's, `/usr/bin/chromium`, driven by playwright-core; scripts/js.sh installs
// both) opens the page from the origin (`/files/talks/async.html`, so that its `$.getJSON` calls
// are same-origin), and this program reads what the page did:
// - the total the page wrote into `#total_jobs`, and the talk's `console.time` line;
// - each request from the page's Resource Timing entries: when `$.getJSON` asked for it
//   (`startTime`), when it went on a connection (`requestStart`) and when its answer ended
//   (`responseEnd`). A browser holds a page to six connections per host over HTTP/1.1, so the
//   hundred requests go in waves: `peak_in_flight` counts them on the wire, `peak_asked` as the
//   page asked for them;
// - the CPU of every process of the browser while the page ran, and the peak of their summed
//   proportional set size (PSS, sampled every 20 ms): a browser is many processes sharing
//   pages, so the sum of their resident sets would count a shared library once per process.
//
// The wall time is the page's own `console.time`, from `start()` to the total; starting Chromium
// (`launch_s`) is left out, as no other row's interpreter start is a second of its own.
//
//   node js/talks/browser.mjs [--origin URL] [--time-scale F] [--json]
//
// Without Chromium or playwright-core it says so and exits 2.

import { readdirSync, readFileSync } from "node:fs";
import * as common from "./common.mjs";
import { CHROMIUM_ARGS, chromiumPath } from "../chromium.mjs";

const args = common.parse();
if (args.workload !== "jobs" && process.argv.includes("--workload")) {
  common.usageError("async.html fetches the jobs API only (--workload jobs)");
}
if (args.count !== undefined && args.count !== common.TALK_ZIPS.length) {
  common.usageError(`async.html asks for the talk's ${common.TALK_ZIPS.length} zips, not --count ${args.count}`);
}

/** The browser: $CHROMIUM, else the system's. */
const executable = chromiumPath();
if (executable === undefined) {
  common.usageError("no chromium: install it with scripts/js.sh (or set CHROMIUM to its path)");
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  common.usageError("no playwright-core in js/node_modules: run scripts/js.sh");
}

const origin = args.origin ?? (await common.startOrigin());
const { origin: base, zips } = common.plan({ ...args, workload: "jobs" }, origin);
const scale = args.timeScale === 1 ? "" : `?scale=${args.timeScale}`;
const page_url = `${base}/files/talks/async.html${scale}`;

/** The browser's processes: every process under this one that Chromium started. */
function browserProcesses() {
  return tree(process.pid).filter((pid) => {
    try {
      return /chrom/i.test(readFileSync(`/proc/${pid}/comm`, "utf8"));
    } catch {
      return false;
    }
  });
}

/** Every process under `pid`, itself included. */
function tree(pid) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = stat(entry);
    if (fields) parents.set(Number(entry), Number(fields[1]));
  }
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) {
    for (const [child, parent] of parents) if (parent === all[i]) all.push(child);
  }
  return all;
}

/** The fields of /proc/PID/stat after the command's name, or null once it has gone. */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** User and system CPU seconds of the processes, those they waited for included. */
function cpu(pids) {
  const ticks = 100; // USER_HZ, the unit of /proc/PID/stat on Linux
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    const fields = stat(pid);
    if (!fields) continue;
    user += (Number(fields[11]) + Number(fields[13])) / ticks;
    system += (Number(fields[12]) + Number(fields[14])) / ticks;
  }
  return { user, system };
}

/** The summed PSS of the processes, in bytes. */
function pss(pids) {
  let bytes = 0;
  for (const pid of pids) {
    try {
      const line = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8")
        .split("\n")
        .find((l) => l.startsWith("Pss:"));
      bytes += Number(line.split(/\s+/)[1]) * 1024;
    } catch {
      // gone, or not ours to read
    }
  }
  return bytes;
}

const launched = performance.now();
const browser = await chromium
  .launch({
    executablePath: executable,
    headless: true,
    args: CHROMIUM_ARGS,
  })
  .catch((error) => common.usageError(`cannot start ${executable}: ${error.message.split("\n")[0]}`));
const launch_s = (performance.now() - launched) / 1000;
const page = await browser.newPage();
const out = common.talkConsole(args);
const consoleLines = [];
page.on("console", (message) => {
  consoleLines.push(message.text());
  out.log(message.text());
});
// Each answer's TotalJobs, and each request that failed, by URL.
const answers = new Map();
const failures = new Map();
page.on("response", async (response) => {
  if (!response.url().includes("/api/jobs")) return;
  if (!response.ok()) return failures.set(response.url(), `HTTP ${response.status()}`);
  const body = await response.json().catch(() => null);
  const jobs = Number.parseInt(body?.TotalJobs, 10);
  if (Number.isInteger(jobs)) answers.set(response.url(), jobs);
  else failures.set(response.url(), "the answer has no TotalJobs");
});
page.on("requestfailed", (request) => failures.set(request.url(), request.failure()?.errorText ?? "failed"));

const before = cpu(browserProcesses());
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, pss(browserProcesses()));
}, 20);

const deadline = args.timeout * 1000;
let error = null;
let total = null;
try {
  await page.goto(page_url, { timeout: deadline });
  // Every request answered or failed: $.when gives up at the first failure, the page does not.
  await page.waitForFunction(
    (n) => performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/jobs")).length >= n,
    zips.length,
    { timeout: deadline, polling: 10 },
  );
  const shown = await page
    .waitForFunction(() => document.querySelector("#total_jobs")?.textContent || null, null, {
      timeout: 2000,
    })
    .then((handle) => handle.jsonValue())
    .catch(() => null);
  total = shown === null ? null : Number.parseInt(shown, 10);
} catch (e) {
  error = e.message.split("\n")[0];
}
clearInterval(sampler);
const after = cpu(browserProcesses());
peak = Math.max(peak, pss(browserProcesses()));

const entries = await page
  .evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/jobs"))
      .map((e) => ({
        url: e.name,
        startTime: e.startTime,
        requestStart: e.requestStart,
        responseEnd: e.responseEnd,
        bytes: e.encodedBodySize,
      })),
  )
  .catch(() => []);
const userAgent = await browser.version();
await browser.close();

// Times from the page's `console.time('Total Jobs')`: its first request's ask.
const t0 = Math.min(...entries.map((e) => e.startTime));
const timerLine = consoleLines.find((line) => line.startsWith("Total Jobs:"));
const timerMs = timerLine ? Number.parseFloat(timerLine.split(":")[1]) : null;
const rows = entries.map((e) => {
  const failure = failures.get(e.url) ?? null;
  const onWire = e.requestStart > 0 ? e.requestStart : e.startTime;
  return {
    url: e.url,
    bytes: null,
    jobs: failure === null ? (answers.get(e.url) ?? null) : null,
    seconds: (e.responseEnd - onWire) / 1000,
    start_s: (onWire - t0) / 1000,
    asked_s: (e.startTime - t0) / 1000,
    error: failure,
    error_kind: failure === null ? null : common.errorKind(new Error(failure)),
  };
});
// A page that never loaded asked for nothing: every zip is a failed row.
const missing = zips.length - rows.length;
const report = common.report({
  model: "async.html",
  workload: "jobs",
  origin: base,
  n: zips.length,
  rows,
  expectedBytes: new Map(),
});
const asked = common.peakInFlight(rows.map((r) => ({ start_s: r.asked_s, seconds: r.start_s - r.asked_s + r.seconds })));
const result = {
  ...report,
  jobs_total: total,
  correct: report.correct && total === common.TALK_JOBS_TOTAL * (zips.length / common.TALK_ZIPS.length),
  browser: userAgent,
  wall_s: timerMs === null ? null : timerMs / 1000,
  launch_s,
  user_s: after.user - before.user,
  sys_s: after.system - before.system,
  peak_rss_bytes: peak,
  memory: "peak of the summed PSS of the browser's processes, sampled every 20 ms",
  peak_asked: asked,
  console: consoleLines,
  error,
  timeout_s: args.timeout,
  time_scale: args.timeScale,
};
if (error !== null) process.stderr.write(`async.html: ${error}\n`);
if (missing > 0) process.stderr.write(`async.html: ${missing} of ${zips.length} requests were never made\n`);
common.finish(args, result, result.correct ? 0 : 1);
