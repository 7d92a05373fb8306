"""The talk "Async Python"'s Tornado program (torn2.py): Tornado's AsyncHTTPClient, a fetch
per page started at once, all awaited together.

The talk's `tornado.gen.engine`, `gen.Callback` and `gen.WaitAll` were removed in Tornado 6;
a native coroutine and `gen.multi` say the same: start every fetch, then wait for them all.

The Rust model beside it: crates/fetch-async-std. Run:
python/.venv/bin/python python/talks/torn2.py
"""

import tornado.gen
import tornado.httpclient
import tornado.ioloop

import common


async def main():
    # max_clients: Tornado's client runs 10 fetches at once by default and queues the rest;
    # the talk's six never met that bound, a sweep would.
    http_client = tornado.httpclient.AsyncHTTPClient(max_clients=len(common.eps))
    fetches = []
    for ep in common.eps:
        fetches.append(
            http_client.fetch(
                tornado.httpclient.HTTPRequest(
                    ep,
                    method="GET",
                    headers={"User-Agent": "Firefox"},
                    connect_timeout=common.timeout,
                    request_timeout=common.timeout,
                )
            )
        )
    complete = await tornado.gen.multi(fetches)

    time_total = 0
    for item in complete:
        common.show(item.effective_url, len(item.body), item.request_time, started=item.start_time)
        time_total += item.request_time

    common.show_total(time_total)


if __name__ == "__main__":
    tornado.ioloop.IOLoop.current().run_sync(main)
