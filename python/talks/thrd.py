"""The talk "Async Python"'s threading program (thrd.py): a Queue of URLs, a Thread per URL
that takes one and opens it with urllib (Python 2's urllib2), a Queue of results. Each result
also carries when its request started, for the timelines.

The Rust model beside it: crates/fetch-threads. Run: python/.venv/bin/python python/talks/thrd.py
"""

import time
from queue import Empty, Queue
from threading import Thread
from urllib.request import urlopen

import common

results = Queue()
queue = Queue()


def parse():
    try:
        url = queue.get_nowait()
        t_start = time.time()
        content = urlopen(url, timeout=common.timeout).read()
        t_end = time.time()
        results.put((url, len(content), t_end - t_start, t_start))
    except Empty:
        pass


if __name__ == "__main__":
    for ep in common.eps:
        queue.put(ep)
    workers = []
    for i in range(len(common.eps)):
        worker = Thread(target=parse)
        worker.start()
        workers.append(worker)
    for worker in workers:
        worker.join()
    all_time = 0
    while not results.empty():
        ep, size, req_time, t_start = results.get()
        common.show(ep, size, req_time, started=t_start)
        all_time += req_time

    common.show_total(all_time)
