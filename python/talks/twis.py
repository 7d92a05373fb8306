"""The talk "Async Python"'s Twisted program (twis.py): an Agent behind a RedirectAgent, a
Protocol that gathers each body, a Deferred per page, a DeferredList over them all.

Python 3's Twisted takes bytes for the method and the URL, and its Agent checks certificates
by itself (the talk's WebClientContextFactory, which turned that off, is gone).

The Rust model beside it: crates/fetch-reactor. Run: python/.venv/bin/python python/talks/twis.py
"""

import time

from twisted.internet import defer, reactor
from twisted.internet.protocol import Protocol
from twisted.web.client import Agent, RedirectAgent

import common
from common import eps


class DataPrinter(Protocol):
    def __init__(self, done):
        self.done = done

    def connectionMade(self):
        self.data = b""

    def dataReceived(self, dbytes):
        self.data += dbytes

    def connectionLost(self, reason):
        self.done.callback(self.data)


def cbResponse(resp, ep, start_time):
    done = defer.Deferred()
    done.addCallback(printLen, ep, start_time)
    resp.deliverBody(DataPrinter(done))
    return done


def cbError(resp):
    print("ERROR")
    print(resp)


def printLen(data, ep, start_time):
    global total_time
    req_time = time.time() - start_time
    total_time += req_time
    common.show(ep, len(data), req_time, started=start_time)


def cbGroupResponse(blah):
    common.show_total(total_time)
    reactor.stop()


if __name__ == "__main__":
    total_time = 0
    agent = RedirectAgent(Agent(reactor, connectTimeout=common.timeout))
    deferreds = []
    for ep in eps:
        d = agent.request(b"GET", ep.encode())
        d.addTimeout(common.timeout, reactor)
        d.addCallback(cbResponse, ep, time.time())
        d.addErrback(cbError)
        deferreds.append(d)
    defer.DeferredList(deferreds).addCallback(cbGroupResponse)
    reactor.run()
