"""Threads: an operating-system thread per waiter, each in `time.sleep`, all joined, as the
talk's `threaded.py` gives each zip a thread; 64 KiB stacks (`threading.stack_size`), as the
Rust threads have. The machine's limits come first: the spawn that fails names the one it met.
And the interpreter's: it starts a few thousand threads a second, one at a time, so past some N
the first waiters have ended before the last could start; it stops there, and says so.

Beside it: crates/waits/src/bin/waits-threads.rs. Run:
python/.venv/bin/python python/waits/threads_waits.py --n 10000
"""

import threading
import time

import job as waits


def wait_all(job):
    threading.stack_size(64 * 1024)
    job.spawning()
    waiters = []
    limit = None
    started = time.perf_counter()
    for _ in range(job.n):
        if waiters and time.perf_counter() - started >= job.wait:
            limit = {
                "reached": len(waiters),
                "name": "the wait itself (the first threads had ended before the rest could start)",
                "error": f"{len(waiters)} started in {job.wait} s",
            }
            break
        waiter = threading.Thread(target=time.sleep, args=(job.wait,))
        try:
            waiter.start()
        except RuntimeError as error:
            limit = waits.limit_met(len(waiters), error)
            break
        waiters.append(waiter)
    job.spawned()
    for waiter in waiters:
        waiter.join()
    return limit


if __name__ == "__main__":
    waits.main("threads_waits.py", wait_all)
