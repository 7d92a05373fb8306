"""Tornado's web server: one IOLoop (asyncio's), a RequestHandler whose get is a coroutine
awaiting asyncio.sleep. Nagle's algorithm is off, as in every Rust server (and in aiohttp by
default): a head and a body written apart would wait for the client's delayed ACK.

The Rust server beside it: crates/serve-tokio (the nearest: a task per request on a runtime).
Run: python/.venv/bin/python python/servers/serve_tornado.py --port 8080
"""

import asyncio

import tornado.httpserver
import tornado.netutil
import tornado.web

import work


class Work(tornado.web.RequestHandler):
    async def get(self, head=False):
        status, delay, body = work.route(self.request.path, self.request.query)
        if delay:
            await asyncio.sleep(delay)
        self.set_status(status)
        if head:
            self.set_header("Content-Length", len(body))
        else:
            self.write(body)

    async def head(self):
        await self.get(head=True)

    def compute_etag(self):
        return None


class Server(tornado.httpserver.HTTPServer):
    def handle_stream(self, stream, address):
        work.stats["accepted"] += 1
        stream.set_nodelay(True)
        return super().handle_stream(stream, address)


async def main():
    args = work.parse_args()
    app = tornado.web.Application([(r"/.*", Work)], log_function=lambda handler: None)
    sockets = tornado.netutil.bind_sockets(args.port, args.host, backlog=args.backlog)
    Server(app, idle_connection_timeout=10).add_sockets(sockets)
    work.listening(args.host, sockets[0].getsockname()[1])
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
