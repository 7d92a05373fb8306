// What the JavaScript programs share, as python/talks/common.py is for the Python ones: the
// command line, the origin (the workspace's `origin`, started on a free port when no --origin is
// given), the talks' workloads, and the report the comparison reads.
//
//   node js/talks/promises.mjs                       # the six sites, from an origin of its own
//   node js/talks/promises.mjs --workload jobs       # the jobs API over the talk's 100 zips
//   node js/talks/promises.mjs --count 1000 --size 1024 --delay 1 --origin http://127.0.0.1:8080
//   node js/talks/browser.mjs --json                 # async.html in headless Chromium
//
// With --json the talk's output goes to stderr and, at the end, one JSON object goes to stdout:
// every request's size (or TotalJobs), time and start, the wall time, the CPU time and the peak
// resident set (VmHWM), with the field names of a Rust model's --json.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const started = performance.now();

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const TALK_JOBS_TOTAL = 1651;

function dataLines(name) {
  return readFileSync(join(ROOT, "data", name), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

/** The six sites as the talk measured them: host name, bytes, seconds. */
export const SITES = dataLines("talk-sites.tsv").map((line) => {
  const [url, bytes, seconds] = line.split("\t");
  return { name: url.replace(/^http:\/\//, ""), bytes: Number(bytes), seconds: Number(seconds) };
});
export const TALK_ZIPS = dataLines("usajobs-zips.txt");

const program = basename(process.argv[1] ?? "node");

/** Stops the program at start-up with a clear message and exit code 2. */
export function usageError(message) {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(2);
}

function number(name, text, low, high) {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value < low || value > high) {
    usageError(`--${name} ${text} is not a number from ${low} to ${high}`);
  }
  return value;
}

/** The command line, with the Rust models' flags: --origin, --workload, --count, --size,
 * --delay, --time-scale, --timeout, --json. */
export function parse(argv = process.argv.slice(2)) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        origin: { type: "string" },
        workload: { type: "string" },
        count: { type: "string" },
        size: { type: "string" },
        delay: { type: "string" },
        "time-scale": { type: "string", default: "1" },
        timeout: { type: "string", default: "30" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    usageError(error.message);
  }
  if (values.help) {
    process.stdout.write(
      `usage: ${program} [--origin URL] [--workload pages|jobs] [--count N] [--size BYTES] ` +
        "[--delay SECONDS] [--time-scale F] [--timeout SECONDS] [--json]\n",
    );
    process.exit(0);
  }
  const workload = values.workload ?? "pages";
  if (!["pages", "jobs"].includes(workload)) {
    usageError(`--workload ${workload} is not pages or jobs`);
  }
  const args = {
    origin: values.origin,
    workload,
    count: values.count === undefined ? undefined : number("count", values.count, 1, 1_000_000),
    size: values.size === undefined ? undefined : number("size", values.size, 0, 256 << 20),
    delay: values.delay === undefined ? undefined : number("delay", values.delay, 0, 86_400),
    timeScale: number("time-scale", values["time-scale"], Number.MIN_VALUE, 1000),
    timeout: number("timeout", values.timeout, 0, 86_400),
    json: values.json,
  };
  if ((args.size !== undefined || args.delay !== undefined) && args.count === undefined) {
    usageError("--size and --delay need --count");
  }
  if (args.origin !== undefined && !/^https?:\/\/[^/]/.test(args.origin)) {
    usageError(`--origin ${JSON.stringify(args.origin)} is not an http:// or https:// URL`);
  }
  return args;
}

/** The workspace's origin on a free loopback port, serving js/ at /files/, stopped at exit:
 * the embedded default. */
export async function startOrigin() {
  const binary = ["release", "debug"]
    .map((profile) => join(ROOT, "target", profile, "origin"))
    .find((path) => existsSync(path));
  if (binary === undefined) {
    usageError(
      "no --origin given and no origin binary to start: build it " +
        "(cargo build --release -p origin) or pass --origin URL",
    );
  }
  const child = spawn(binary, ["--port", "0", "--files", join(ROOT, "js")], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  process.on("exit", () => child.kill());
  const lines = createInterface({ input: child.stdout });
  const [line] = await Promise.race([
    lines[Symbol.asyncIterator]().next().then((next) => [next.value ?? ""]),
    new Promise((done) => child.once("exit", () => done([""]))),
  ]);
  const url = line.split(/\s+/).find((word) => word.startsWith("http://"));
  if (url === undefined) {
    usageError(`${binary} did not print its address (${JSON.stringify(line)})`);
  }
  return url;
}

/** What to fetch: the endpoints with the size a correct answer has (pages), or the zips. */
export function plan(args, origin) {
  const base = origin.replace(/\/+$/, "");
  const scaled = (path) =>
    args.timeScale === 1 ? path : `${path}${path.includes("?") ? "&" : "?"}scale=${args.timeScale}`;
  const n = args.count ?? (args.workload === "jobs" ? TALK_ZIPS.length : SITES.length);
  const synthetic = args.size !== undefined || args.delay !== undefined;
  const eps = Array.from({ length: args.workload === "jobs" ? 0 : n }, (_, i) => {
    const site = SITES[i % SITES.length];
    if (!synthetic) {
      return { url: base + scaled(`/${site.name}`), bytes: site.bytes };
    }
    const bytes = args.size ?? site.bytes;
    const delay = args.delay ?? site.seconds;
    return { url: base + scaled(`/bytes/${bytes}?delay=${delay}`), bytes };
  });
  const zips = Array.from({ length: args.workload === "jobs" ? n : 0 }, (_, i) => {
    return TALK_ZIPS[i % TALK_ZIPS.length];
  });
  const jobsUrl = (zip) => base + scaled(`/api/jobs?LocationId=${zip}`);
  return { origin: base, eps, zips, jobsUrl };
}

/** What kind of failure `error` is, in the Rust models' words: refused, timeout, reset, ... */
export function errorKind(error) {
  const code = error?.cause?.code ?? error?.code ?? "";
  const text = `${error?.name ?? ""} ${error?.message ?? ""} ${code}`;
  if (/ECONNREFUSED|refused/i.test(text)) return "refused";
  if (/TimeoutError|ETIMEDOUT|timed out|timeout/i.test(text)) return "timeout";
  if (/ECONNRESET|reset|socket hang up|UND_ERR_SOCKET/i.test(text)) return "reset";
  if (/^HTTP \d/.test(error?.message ?? "")) return "status";
  if (/JSON|Unexpected token/i.test(text)) return "body";
  return error?.name ?? "error";
}

/** A line of /proc/self/status, as a number (kB fields in bytes). */
function status(field) {
  try {
    const line = readFileSync("/proc/self/status", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    const [value, unit] = line.split(/\s+/).slice(1);
    return Number(value) * (unit === "kB" ? 1024 : 1);
  } catch {
    return null;
  }
}

/** The process's peak resident set so far, in bytes: VmHWM, as every row reads it. */
export function peakRss() {
  return status("VmHWM") ?? process.resourceUsage().maxRSS * 1024;
}

/** How many requests were in flight at once, at the most. */
export function peakInFlight(rows) {
  const events = rows
    .flatMap((r) => [
      [r.start_s, 1],
      [r.start_s + r.seconds, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of events) {
    now += step;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** The report's fields that every JavaScript row shares, from its rows. */
export function report({ model, workload, origin, n, rows, expectedBytes }) {
  const jobs = workload === "jobs";
  const ok = rows.filter(
    (r) => r.error === null && (jobs ? r.jobs !== null : r.bytes === expectedBytes.get(r.url)),
  ).length;
  const jobsTotal = jobs ? rows.reduce((sum, r) => sum + (r.jobs ?? 0), 0) : null;
  const expected =
    jobs && n % TALK_ZIPS.length === 0 ? (TALK_JOBS_TOTAL * n) / TALK_ZIPS.length : null;
  return {
    model,
    node: process.versions.node,
    workload,
    origin,
    n,
    ok,
    failed: n - ok,
    bytes: rows.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
    jobs_total: jobsTotal,
    expected_jobs_total: expected,
    correct: ok === n && (expected === null || jobsTotal === expected),
    sum_s: rows.reduce((sum, r) => sum + r.seconds, 0),
    peak_in_flight: peakInFlight(rows),
    requests: [...rows].sort((a, b) => a.start_s - b.start_s),
  };
}

/** The process's threads now (Node's own pool and V8's included). */
export function threads() {
  return status("Threads");
}

/** Prints the report (with --json) and ends the process with `code` once stdout has taken
 * every byte: a pipe's writes are asynchronous in Node, and an exit before they drain would cut
 * the report short. Ending here also closes what would hold the loop open: an origin this
 * program started, the fetch pool's idle connections. */
export function finish(args, report, code) {
  process.exitCode = code;
  const last = args.json ? `${JSON.stringify(report)}\n` : "";
  process.stdout.write(last, () => process.exit());
}

/** Where the talk's output goes: `console`, or a console on stderr when stdout is kept for
 * --json. */
export function talkConsole(args) {
  return args.json ? new console.Console(process.stderr) : console;
}
