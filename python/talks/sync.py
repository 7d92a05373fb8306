"""The talk "Async Python"'s synchronous program (sync.py): one request after another.

The Rust model beside it: crates/fetch-sync. Run: python/.venv/bin/python python/talks/sync.py
"""

import time  # noqa: F401  (the talk's import)

import requests

import common


@common.timeit
def get_page(ep):
    req = requests.get(ep, timeout=common.timeout)
    return req, ep


all_time = 0
for ep in common.eps:
    (resp, ep), req_time = get_page(ep)
    all_time += req_time
    common.show(ep, len(resp.content), req_time)

common.show_total(all_time)
