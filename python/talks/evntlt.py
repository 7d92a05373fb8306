"""The talk "Async Python"'s eventlet program (evntlt.py): requests, monkey-patched onto green
threads, spawned on a GreenPool and gathered by a GreenPile.

The Rust model beside it: crates/fetch-green. Run: python/.venv/bin/python python/talks/evntlt.py
"""

import eventlet

eventlet.monkey_patch()
import time  # noqa: E402,F401  (the talk's import)

import requests  # noqa: E402

import common  # noqa: E402


@common.timeit
def get_page(ep):
    req = requests.get(ep, headers={"User-Agent": "Python eventlet"}, timeout=common.timeout)
    return req, ep


greenlets = []
pool = eventlet.GreenPool(len(common.eps))
pile = eventlet.GreenPile(pool)

for ep in common.eps:
    pile.spawn(get_page, ep)
pool.waitall()
resps = list(pile)

all_time = 0
for resp in resps:
    (resp, ep), req_time = resp
    all_time += req_time
    common.show(ep, len(resp.content), req_time)
common.show_total(all_time)
