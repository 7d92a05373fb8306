"""asyncio: a task per waiter, each in `asyncio.sleep`, all gathered: the Python of the field's
"a million tasks" tables, and of the talk's `async.py`.

Beside it: crates/waits/src/bin/waits-tokio.rs. Run:
python/.venv/bin/python python/waits/asyncio_waits.py --n 1000000
"""

import asyncio

import job as waits


async def wait_all(job):
    job.spawning()
    waiters = [asyncio.create_task(asyncio.sleep(job.wait)) for _ in range(job.n)]
    job.spawned()
    await asyncio.gather(*waiters)


if __name__ == "__main__":
    waits.main("asyncio_waits.py", lambda job: asyncio.run(wait_all(job)))
