"""The job every waiting program in Python does, and its report, as the `waits` crate's
`lib.rs` is for the Rust ones: spawn N waiters that each wait on a timer (10 s by default, no
socket), wait for all of them, and say what it cost.

    python/.venv/bin/python python/waits/asyncio_waits.py --n 1000000 --json

A waiter's cost is read as every row reads memory: the process's peak resident set (`VmHWM`)
against the same peak just before its first waiter (`Job.spawning`): how far the waiters raised
it, over N. A model that
cannot have N waiters at once stops at a limit of the machine, and the report names it.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path


def _status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _sysctl(path):
    try:
        return int(Path("/proc/sys", path).read_text().split()[0])
    except (OSError, ValueError):
        return None


def limit_met(reached, error):
    """Which limit of the machine a failed spawn met, read off the machine at that moment."""
    maps = len(Path("/proc/self/maps").read_text().splitlines())
    tasks = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                for line in Path(entry.path, "status").read_text().splitlines():
                    if line.startswith("Threads:"):
                        tasks += int(line.split()[1])
            except OSError:
                pass

    def near(have, most):
        return most is not None and have + 64 >= most

    if near(maps, _sysctl("vm/max_map_count")):
        name = "vm.max_map_count ({} here; sysctl -w vm.max_map_count=N lifts it)".format(
            _sysctl("vm/max_map_count")
        )
    elif near(tasks, _sysctl("kernel/pid_max")):
        name = "kernel.pid_max ({} here; sysctl -w kernel.pid_max=N lifts it, to 4,194,304)".format(
            _sysctl("kernel/pid_max")
        )
    elif near(tasks, _sysctl("kernel/threads-max")):
        name = "kernel.threads-max ({} here; sysctl -w kernel.threads-max=N lifts it)".format(
            _sysctl("kernel/threads-max")
        )
    else:
        name = "memory (the kernel refused another mapping)"
    return {"reached": reached, "name": name, "error": str(error)}


class Job:
    """One run: `n` waiters, each waiting `wait` seconds."""

    def __init__(self, n, wait):
        self.n = n
        self.wait = wait
        self.started = time.perf_counter()
        self._before = (_status("VmHWM"), _cpu())
        self._spawning = None
        self._spawned = None

    def spawning(self):
        """The moment before the first waiter, the loop ready: the baseline of a waiter's cost."""
        if self._spawning is None:
            self._before = (_status("VmHWM"), _cpu())
            self._spawning = time.perf_counter()

    def spawned(self):
        """The moment every waiter has been spawned."""
        if self._spawned is None:
            self._spawned = time.perf_counter()

    def report(self, model, limit=None):
        ended = time.perf_counter()
        baseline, (user0, sys0) = self._before
        user, system = _cpu()
        peak = _status("VmHWM")
        waited = self.n if limit is None else limit["reached"]
        spawning = self._spawning if self._spawning is not None else self.started
        spawned = self._spawned if self._spawned is not None else ended
        return {
            "model": model,
            "python": sys.version.split()[0],
            "n": self.n,
            "waited": waited,
            "wait_s": self.wait,
            "stack_bytes": None,
            "spawn_s": spawned - spawning,
            "wall_s": ended - self.started,
            "user_s": user - user0,
            "sys_s": system - sys0,
            "baseline_rss_bytes": baseline,
            "peak_rss_bytes": peak,
            "per_waiter_bytes": max(peak - baseline, 0) / max(waited, 1),
            "limit": None if limit is None else limit["name"],
            "error": None if limit is None else limit["error"],
        }


def _count(text):
    n = int(text)
    if not 1 <= n <= 10_000_000:
        raise argparse.ArgumentTypeError(f"{text} is not a count from 1 to 10000000")
    return n


def _seconds(text):
    value = float(text)
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds from 0 to 3600")
    return value


def main(model, wait_all):
    """Parses the command line, runs `wait_all(job)` (which returns None, or the limit it met)
    and prints the report: exit 0 when every waiter waited, 1 when a limit stopped some."""
    parser = argparse.ArgumentParser(prog=model, description="N waiters, each on a timer.")
    parser.add_argument("--n", type=_count, default=10_000, help="waiters at once")
    parser.add_argument("--wait", type=_seconds, default=10.0, help="seconds each waits")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    job = Job(args.n, args.wait)
    limit = wait_all(job)
    report = job.report(model, limit)
    if args.json:
        print(json.dumps(report))
    else:
        line = (
            f"{model}: {report['waited']} waiters of {report['n']} waited {report['wait_s']} s "
            f"each: spawned in {report['spawn_s']:.3f} s, done in {report['wall_s']:.3f} s, "
            f"{report['user_s'] + report['sys_s']:.3f} s of CPU, peak RSS "
            f"{report['peak_rss_bytes'] / 2**20:.1f} MiB ({report['per_waiter_bytes']:.0f} bytes "
            f"a waiter above the {report['baseline_rss_bytes'] / 2**20:.1f} MiB before)"
        )
        if limit is not None:
            line += f"; stopped by {limit['name']} ({limit['error']})"
        print(line)
    sys.exit(0 if limit is None else 1)
