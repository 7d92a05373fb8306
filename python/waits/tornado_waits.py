"""Tornado: a `gen.sleep` future per waiter, all awaited together (`gen.multi`), on Tornado's
IOLoop (asyncio's loop underneath), as the talk's `torn2.py` awaits its fetches.

Beside it: crates/waits/src/bin/waits-async-std.rs. Run:
python/.venv/bin/python python/waits/tornado_waits.py --n 1000000
"""

from tornado import gen
from tornado.ioloop import IOLoop

import job as waits


async def wait_all(job):
    job.spawning()
    waiters = [gen.sleep(job.wait) for _ in range(job.n)]
    job.spawned()
    await gen.multi(waiters)


if __name__ == "__main__":
    waits.main("tornado_waits.py", lambda job: IOLoop.current().run_sync(lambda: wait_all(job)))
