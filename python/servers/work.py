"""What every Python server here shares with the Rust ones (crates/servekit): the command line,
the one route and the counters, so that the servers' benchmark runs them all alike.

    GET /work?ms=MS&size=BYTES   wait MS milliseconds (50) without using the CPU, then answer
                                 BYTES (1024) bytes of 'x', with keep-alive
    GET /stats                   the server's counters as JSON

A bad `ms` or `size` is a 400 and any other path a 404, as in the Rust servers. At start-up a
server prints one line, `NAME listening on http://ADDR/work?ms=50&size=1024`.
"""

import argparse
import json
import resource
import sys
from pathlib import Path
from urllib.parse import parse_qsl

MAX_SIZE = 1 << 20
MAX_MS = 60_000
BODY = b"x" * MAX_SIZE

# The counters /stats answers (the ones the benchmark reads; a Python server cannot count a
# connection it could not accept, so `refused` stays 0).
stats = {"accepted": 0, "refused": 0, "requests": 0, "rejected": 0}


def parse_args():
    parser = argparse.ArgumentParser(
        prog=Path(sys.argv[0]).name,
        description="Answer GET /work?ms=MS&size=SIZE: wait MS milliseconds, then send SIZE "
        "bytes, with keep-alive. GET /stats answers the server's counters as JSON.",
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="the port to listen on; 0 lets the system choose one"
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument(
        "--backlog",
        type=int,
        default=4096,
        help="the listen backlog (capped by net.core.somaxconn)",
    )
    args = parser.parse_args()
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port")
    # Every connection is a descriptor: raise the soft limit to the hard one, as the Rust
    # servers do.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return args


def listening(host, port):
    """Prints the line the benchmark and the tests wait for."""
    print(
        f"{Path(sys.argv[0]).name} listening on http://{host}:{port}/work?ms=50&size=1024",
        flush=True,
    )


def route(path, query):
    """What a GET asks for: `(status, delay in seconds, body)`, counted; the delay is 0 for an
    answer given at once."""
    if path == "/stats":
        stats["requests"] += 1
        return 200, 0.0, json.dumps(stats).encode()
    if path != "/work":
        stats["rejected"] += 1
        return 404, 0.0, b"the one route is /work?ms=MS&size=BYTES\n"
    ms, size = 50, 1024
    try:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name == "ms":
                ms = int(value)
                if not 0 <= ms <= MAX_MS:
                    raise ValueError
            elif name == "size":
                size = int(value)
                if not 0 <= size <= MAX_SIZE:
                    raise ValueError
    except ValueError:
        stats["rejected"] += 1
        return 400, 0.0, f"ms must be 0 to {MAX_MS}, size 0 to {MAX_SIZE}\n".encode()
    stats["requests"] += 1
    return 200, ms / 1000, BODY[:size]
