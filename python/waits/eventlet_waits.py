"""eventlet: a green thread per waiter from a GreenPool as big as the job, each in
`eventlet.sleep`, all waited for (`pool.waitall`), as the talk's `evntlt.py` uses its pool.
"Green threads are so cheap they are nearly free", eventlet's documentation says: this is how
free.

Beside it: crates/waits/src/bin/waits-green.rs. Run:
python/.venv/bin/python python/waits/eventlet_waits.py --n 1000000
"""

import eventlet

import job as waits


def wait_all(job):
    pool = eventlet.GreenPool(job.n)
    job.spawning()
    for _ in range(job.n):
        pool.spawn_n(eventlet.sleep, job.wait)
    job.spawned()
    pool.waitall()


if __name__ == "__main__":
    waits.main("eventlet_waits.py", wait_all)
