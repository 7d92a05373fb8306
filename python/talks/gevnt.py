"""The talk "Async Python"'s gevent program (gevnt.py): requests, monkey-patched onto greenlets,
one spawned per page and joined.

The Rust model beside it: crates/fetch-green. Run: python/.venv/bin/python python/talks/gevnt.py
"""

import gevent
from gevent import monkey

monkey.patch_all()
import time  # noqa: E402,F401  (the talk's import)

import requests  # noqa: E402

import common  # noqa: E402


@common.timeit
def get_page(ep):
    req = requests.get(ep, headers={"User-Agent": "Python gevent"}, timeout=common.timeout)
    return req, ep


greenlets = []
for ep in common.eps:
    greenlets.append(gevent.spawn(get_page, ep))
gevent.joinall(greenlets)

all_time = 0
for greenlet in greenlets:
    (resp, ep), req_time = greenlet.value
    all_time += req_time
    common.show(ep, len(resp.content), req_time)
common.show_total(all_time)
