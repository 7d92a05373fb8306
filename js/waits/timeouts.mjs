// Node: a promise per waiter, each resolved by `setTimeout`, all joined by `Promise.all`, on
// Node's one thread: the JavaScript of the field's "a million tasks" tables. A waiter is a
// promise and a timer in libuv's list for its duration (Node groups timers of one duration).
//
// Beside it: crates/waits/src/bin/waits-join-all.rs. Run:
//   node --max-old-space-size=16384 js/waits/timeouts.mjs --n 1000000

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

function status(field) {
  const line = readFileSync("/proc/self/status", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

function fail(message) {
  process.stderr.write(`timeouts.mjs: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      n: { type: "string", default: "10000" },
      wait: { type: "string", default: "10" },
      json: { type: "boolean", default: false },
    },
  }));
} catch (error) {
  fail(error.message);
}
const n = Number(values.n);
const wait = Number(values.wait);
if (!Number.isInteger(n) || n < 1 || n > 10_000_000) fail(`--n ${values.n} is not a count from 1 to 10000000`);
if (!Number.isFinite(wait) || wait < 0 || wait > 3600) fail(`--wait ${values.wait} is not a number of seconds from 0 to 3600`);

const started = performance.now();
// The peak before the first waiter: what the waiters raise it from.
const baseline = status("VmHWM");
const cpu0 = process.cpuUsage();
const waiters = Array.from({ length: n }, () => new Promise((resolve) => setTimeout(resolve, wait * 1000)));
const spawned = performance.now();
await Promise.all(waiters);
const ended = performance.now();
const cpu = process.cpuUsage(cpu0);
const peak = status("VmHWM");
const report = {
  model: "timeouts.mjs",
  node: process.versions.node,
  n,
  waited: n,
  wait_s: wait,
  stack_bytes: null,
  spawn_s: (spawned - started) / 1000,
  wall_s: (ended - started) / 1000,
  user_s: cpu.user / 1e6,
  sys_s: cpu.system / 1e6,
  baseline_rss_bytes: baseline,
  peak_rss_bytes: peak,
  per_waiter_bytes: Math.max(peak - baseline, 0) / n,
  limit: null,
  error: null,
};
const line = values.json
  ? JSON.stringify(report)
  : `timeouts.mjs: ${n} waiters waited ${wait} s each: spawned in ${report.spawn_s.toFixed(3)} s, ` +
    `done in ${report.wall_s.toFixed(3)} s, ${(report.user_s + report.sys_s).toFixed(3)} s of CPU, ` +
    `peak RSS ${(peak / 2 ** 20).toFixed(1)} MiB (${report.per_waiter_bytes.toFixed(0)} bytes a waiter ` +
    `above the ${(baseline / 2 ** 20).toFixed(1)} MiB before)`;
process.stdout.write(`${line}\n`, () => process.exit(0));
