"""Twisted: a Deferred per waiter from `deferLater(reactor, wait, ...)`, all joined by a
DeferredList that stops the reactor, as the talk's `twis.py` joins its pages. A waiter is a
DelayedCall in the reactor's heap and its Deferred.

Beside it: crates/waits/src/bin/waits-reactor.rs. Run:
python/.venv/bin/python python/waits/twisted_waits.py --n 1000000
"""

from twisted.internet import reactor, task
from twisted.internet.defer import DeferredList

import job as waits


def wait_all(job):
    job.spawning()
    waiters = [task.deferLater(reactor, job.wait, lambda: None) for _ in range(job.n)]
    job.spawned()
    DeferredList(waiters).addCallback(lambda _: reactor.stop())
    reactor.run()


if __name__ == "__main__":
    waits.main("twisted_waits.py", wait_all)
