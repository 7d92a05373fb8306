"""The talk's `common` module for Python 3, and the report the comparison reads.

The programs of the talk "Async Python" import `common` for `eps`, the URLs to fetch, and
`timeit`, a decorator that returns a call's result with how long it took. Here the URLs come
from the command line, as the Rust models' endpoints do, from an origin that replays the talks'
sites and jobs API (the workspace's `origin` crate):

    python sync.py                          # starts target/release/origin, fetches the six sites
    python sync.py --origin http://127.0.0.1:8080
    python thrd.py --count 1000 --size 1024 --delay 1   # 1,000 synthetic endpoints
    python block.py --count 2000            # the jobs programs: the 100 zips, over and over
    python async.py --json                  # one JSON object with what the comparison reads

Each program fetches its own talk's workload: the six sites programs `eps`, the jobs programs
(which build a `resourcehelper.ResourceHelper`) `zips`. With `--json` the talk's own output goes
to stderr and, at exit, one JSON object goes to stdout: every request's size (or `TotalJobs`),
time and start, the wall time from this module's import, and the CPU time and peak resident
set (`VmHWM`) of the whole process, measured as the Rust models measure theirs.
"""

import argparse
import atexit
import collections
import functools
import inspect
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import resourcehelper

_started = time.perf_counter()
_started_epoch = time.time()

ROOT = Path(__file__).resolve().parents[2]
TALK_JOBS_TOTAL = 1651


def _data_lines(name):
    for line in (ROOT / "data" / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.strip()


# The six sites as the talk measured them: (host name, bytes, seconds).
SITES = [
    (url.removeprefix("http://"), int(size), float(seconds))
    for url, size, seconds in (line.split("\t") for line in _data_lines("talk-sites.tsv"))
]
TALK_ZIPS = list(_data_lines("usajobs-zips.txt"))


def _count(text):
    n = int(text)
    if not 1 <= n <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text} is not a count from 1 to 1000000")
    return n


def _seconds(text):
    value = float(text)
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds from 0 to 86400")
    return value


def _parse_args():
    parser = argparse.ArgumentParser(
        prog=Path(sys.argv[0]).name,
        description="One of the talks' programs, against the origin that replays their sites "
        "and jobs API.",
    )
    parser.add_argument(
        "--origin",
        metavar="URL",
        help="the origin's base URL (default: start target/release/origin on a free port)",
    )
    parser.add_argument(
        "--workload",
        choices=["pages", "jobs"],
        help="accepted as the Rust models accept it; each program fetches its own talk's workload",
    )
    parser.add_argument(
        "--count",
        type=_count,
        metavar="N",
        help="N endpoints: the six sites (or the 100 zips) over and over, or "
        "/bytes/SIZE?delay=S with --size or --delay",
    )
    parser.add_argument("--size", type=int, metavar="BYTES", help="with --count: each body's size")
    parser.add_argument(
        "--delay",
        type=_seconds,
        metavar="SECONDS",
        help="with --count: the origin's delay before each answer",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="F",
        help="multiply every delay of the origin by F",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="give up on a request after this long (default 30)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at exit (the talk's output goes to stderr)",
    )
    args = parser.parse_args()
    if (args.size is not None or args.delay is not None) and args.count is None:
        parser.error("--size and --delay need --count")
    if args.size is not None and not 0 <= args.size <= 256 << 20:
        parser.error(f"--size {args.size} is not a size from 0 to 268435456")
    if not 0 < args.time_scale <= 1000:
        parser.error(f"--time-scale {args.time_scale} is not a factor above 0 and at most 1000")
    if args.origin is not None and not args.origin.startswith(("http://", "https://")):
        parser.error(f"--origin {args.origin!r} is not an http:// or https:// URL")
    return args


def _start_origin():
    """Starts the workspace's origin on a free port, stopped at exit: the embedded default."""
    for profile in ("release", "debug"):
        binary = ROOT / "target" / profile / "origin"
        if binary.is_file():
            break
    else:
        sys.exit(
            f"{Path(sys.argv[0]).name}: no --origin given and no origin binary to start: "
            "build it (cargo build --release -p origin) or pass --origin URL"
        )
    child = subprocess.Popen(
        [binary, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    atexit.register(child.kill)
    line = child.stdout.readline().decode()
    url = next((word for word in line.split() if word.startswith("http://")), None)
    if url is None:
        sys.exit(f"{Path(sys.argv[0]).name}: {binary} did not print its address ({line!r})")
    return url


_args = _parse_args()
origin = (_args.origin or _start_origin()).rstrip("/")
timeout = _args.timeout


def _scaled(path):
    if _args.time_scale == 1.0:
        return path
    return f"{path}{'&' if '?' in path else '?'}scale={_args.time_scale}"


def _pages():
    """The pages workload's URLs, each with the body size a correct answer has."""
    synthetic = _args.size is not None or _args.delay is not None
    n = _args.count or len(SITES)
    urls = []
    for i in range(n):
        name, size, seconds = SITES[i % len(SITES)]
        if synthetic:
            size = _args.size if _args.size is not None else size
            delay = _args.delay if _args.delay is not None else seconds
            urls.append((_scaled(f"/bytes/{size}?delay={delay:g}"), size))
        else:
            urls.append((_scaled(f"/{name}"), size))
    return [(origin + path, size) for path, size in urls]


_plan = _pages()
_expected_bytes = dict(_plan)
# The URLs of the talk "Async Python" (its six home pages) or of a sweep.
eps = [url for url, _ in _plan]
# The zip codes of the talk "Asynchronicity", as many as --count asks for.
zips = [TALK_ZIPS[i % len(TALK_ZIPS)] for i in range(_args.count or len(TALK_ZIPS))]


def jobs_url(zip):
    """The jobs API's URL for one zip code (the talk's data.usajobs.gov/api/jobs)."""
    return origin + _scaled(f"/api/jobs?LocationId={zip}")


# What the programs fetched, for --json: (url, start, seconds, bytes, jobs, error, error kind).
_Row = collections.namedtuple("_Row", "url start seconds bytes jobs error kind")
_rows = []
# Rows that timeit recorded and `show` has not yet given a size, by URL.
_unsized = collections.defaultdict(collections.deque)
workload = "pages"


def _error_kind(error):
    if isinstance(error, ConnectionRefusedError) or "refused" in str(error).lower():
        return "refused"
    if isinstance(error, TimeoutError) or "timed out" in str(error).lower():
        return "timeout"
    if isinstance(error, ConnectionResetError) or "reset" in str(error).lower():
        return "reset"
    return type(error).__name__


def _record(url, start, result=None, error=None):
    """Keeps one call's row for --json, from its start; returns how long it took."""
    seconds = time.perf_counter() - start
    jobs = result if isinstance(result, int) and not isinstance(result, bool) else None
    row = _Row(
        url, start, seconds, None, jobs, error and str(error) or None, error and _error_kind(error)
    )
    _rows.append(row)
    if error is None and jobs is None:
        _unsized[url].append(len(_rows) - 1)
    return seconds


def timeit(fn):
    """Returns `(fn's result, seconds)`, as the talk's `common.timeit` did; a coroutine function
    stays one. Each call is recorded for --json under its first argument (a URL or a zip)."""

    def url_of(args):
        first = args[0] if args else "?"
        return first if str(first).startswith(("http://", "https://")) else jobs_url(first)

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def timed_coroutine(*args, **kwargs):
            start = time.perf_counter()
            try:
                result = await fn(*args, **kwargs)
            except Exception as error:
                _record(url_of(args), start, error=error)
                raise
            return result, _record(url_of(args), start, result)

        return timed_coroutine

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except Exception as error:
            _record(url_of(args), start, error=error)
            raise
        return result, _record(url_of(args), start, result)

    return timed


def show(ep, size, req_time, started=None):
    """Prints one line of the talk's output: the URL, the page's size and its request time.

    `started` is when the request began (`time.time()`), for a program that timed it itself;
    a request timed by `timeit` is already recorded."""
    print(str(ep).ljust(30), str(size).rjust(10), req_time)
    pending = _unsized.get(ep)
    if pending:
        i = pending.popleft()
        _rows[i] = _rows[i]._replace(bytes=size)
        return
    start = _started + (started - _started_epoch) if started else time.perf_counter() - req_time
    _rows.append(_Row(ep, start, req_time, size, None, None, None))


def show_total(all_time):
    """Prints the end of the talk's output: a rule and the sum of the request times."""
    print("-" * 10)
    print(all_time)


def _usage():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    # VmHWM starts afresh at exec, as the models' figure does.
    threads = int(fields.get("Threads", "0").strip() or 0)
    return usage.ru_utime, usage.ru_stime, resourcehelper.peak_rss(), threads


def _peak_in_flight(rows):
    events = sorted(
        [(r.start, 1) for r in rows] + [(r.start + r.seconds, -1) for r in rows],
        key=lambda e: (e[0], e[1]),
    )
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


def report():
    """The run as one JSON object: the fields of a Rust model's `--json` that the comparison
    reads."""
    wall = time.perf_counter() - _started
    user, sys_s, peak_rss, threads = _usage()
    jobs = workload == "jobs"
    n = len(zips) if jobs else len(eps)
    ok = sum(
        1
        for r in _rows
        if r.error is None
        and (r.jobs is not None if jobs else r.bytes == _expected_bytes.get(r.url))
    )
    jobs_total = sum(r.jobs for r in _rows if r.jobs is not None) if jobs else None
    # The talk's 100 zips add up to 1651, so any whole number of rounds over them is known.
    expected = TALK_JOBS_TOTAL * n // len(TALK_ZIPS) if jobs and n % len(TALK_ZIPS) == 0 else None
    return {
        "model": Path(sys.argv[0]).name,
        "python": sys.version.split()[0],
        "workload": workload,
        "origin": origin,
        "n": n,
        "ok": ok,
        "failed": n - ok,
        "bytes": sum(r.bytes or 0 for r in _rows),
        "jobs_total": jobs_total,
        "expected_jobs_total": expected,
        "correct": ok == n and (expected is None or jobs_total == expected),
        "wall_s": wall,
        "sum_s": sum(r.seconds for r in _rows),
        "user_s": user,
        "sys_s": sys_s,
        "peak_rss_bytes": peak_rss,
        "threads_at_end": threads,
        "peak_in_flight": _peak_in_flight(_rows),
        "timeout_s": timeout,
        "time_scale": _args.time_scale,
        "requests": [
            {
                "url": r.url,
                "bytes": r.bytes,
                "jobs": r.jobs,
                "seconds": r.seconds,
                "start_s": r.start - _started,
                "error": r.error,
                "error_kind": r.kind,
            }
            for r in sorted(_rows, key=lambda r: r.start)
        ],
    }


if _args.json:
    _stdout = sys.stdout
    sys.stdout = sys.stderr

    @atexit.register
    def _print_report():
        _stdout.write(json.dumps(report()) + "\n")
        _stdout.flush()
