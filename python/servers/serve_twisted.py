"""Twisted's web server: one reactor (epoll), a Resource whose render_GET schedules the answer
with deferLater and returns NOT_DONE_YET, so that the reactor serves others meanwhile.

The Rust server beside it: crates/serve-reactor. Run:
python/.venv/bin/python python/servers/serve_twisted.py --port 8080
"""

from twisted.internet import epollreactor

epollreactor.install()
from twisted.internet import reactor, task  # noqa: E402
from twisted.web import http, resource, server  # noqa: E402

import work  # noqa: E402


class Work(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        status, delay, body = work.route(
            request.path.decode(), request.uri.partition(b"?")[2].decode()
        )
        request.setResponseCode(status)
        request.setHeader(b"content-length", str(len(body)).encode())
        if not delay:
            return body

        def answer():
            if not request._disconnected:
                request.write(body)
                request.finish()

        task.deferLater(reactor, delay, answer)
        return server.NOT_DONE_YET


class Site(server.Site):
    def buildProtocol(self, addr):
        work.stats["accepted"] += 1
        return super().buildProtocol(addr)


if __name__ == "__main__":
    args = work.parse_args()
    site = Site(Work())
    site.log = lambda request: None
    site.noisy = False
    http.HTTPFactory.noisy = False
    port = reactor.listenTCP(args.port, site, backlog=args.backlog, interface=args.host)
    work.listening(args.host, port.getHost().port)
    reactor.run()
