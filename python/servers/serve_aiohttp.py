"""aiohttp's web server on asyncio: one event loop, a coroutine per request awaiting
asyncio.sleep. The server of the talk "Asynchronicity"'s library.

The Rust server beside it: crates/serve-tokio. Run:
python/.venv/bin/python python/servers/serve_aiohttp.py --port 8080
"""

import asyncio

from aiohttp import web

import work


async def handle(request):
    status, delay, body = work.route(request.path, request.query_string)
    if delay:
        await asyncio.sleep(delay)
    return web.Response(status=status, body=body)


async def main():
    args = work.parse_args()
    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # Count every connection: the runner's server is told of each one.
    made = runner.server.connection_made

    def counted(handler, transport):
        work.stats["accepted"] += 1
        made(handler, transport)

    runner.server.connection_made = counted
    site = web.TCPSite(runner, args.host, args.port, backlog=args.backlog)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    work.listening(args.host, port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
