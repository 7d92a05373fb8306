"""gevent: a greenlet per waiter, each in `gevent.sleep`, all joined (`gevent.joinall`), as the
talk's `gevnt.py` spawns a greenlet per page. A greenlet's stack is copied to the heap while
another runs, so it costs what it touched, not a mapping of its own.

Beside it: crates/waits/src/bin/waits-green.rs. Run:
python/.venv/bin/python python/waits/gevent_waits.py --n 1000000
"""

import gevent

import job as waits


def wait_all(job):
    job.spawning()
    waiters = [gevent.spawn(gevent.sleep, job.wait) for _ in range(job.n)]
    job.spawned()
    gevent.joinall(waiters)


if __name__ == "__main__":
    waits.main("gevent_waits.py", wait_all)
