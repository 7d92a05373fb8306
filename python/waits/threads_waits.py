"""Threads: an operating-system thread per waiter, each in `time.sleep`, all joined, as the
talk's `threaded.py` gives each zip a thread; 64 KiB stacks (`threading.stack_size`), as the
Rust threads have. The machine's limits come first: the spawn that fails names the one it met.

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
    for _ in range(job.n):
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
