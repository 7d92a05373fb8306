"""gevent's WSGI server: a greenlet per connection on one hub (libev), gevent.sleep for the
wait. The talk's closing question was whether this beats threading for a web server. Nagle's
algorithm is off, as in every Rust server: pywsgi writes the head and the body apart, and the
body would wait for the client's delayed ACK (about 40 ms on Linux).

The Rust server beside it: crates/serve-green. Run:
python/.venv/bin/python python/servers/serve_gevent.py --port 8080
"""

from gevent import monkey

monkey.patch_all()
import socket  # noqa: E402

import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from gevent.pywsgi import WSGIHandler, WSGIServer  # noqa: E402

import work  # noqa: E402

REASONS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found"}


def app(environ, start_response):
    status, delay, body = work.route(environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
    if delay:
        gevent.sleep(delay)
    start_response(REASONS[status], [("Content-Length", str(len(body)))])
    return [body]


class Counted(WSGIHandler):
    def __init__(self, sock, address, server, rfile=None):
        work.stats["accepted"] += 1
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, address, server, rfile)


if __name__ == "__main__":
    args = work.parse_args()
    server = WSGIServer(
        (args.host, args.port),
        app,
        handler_class=Counted,
        log=None,
        spawn=Pool(None),
        backlog=args.backlog,
    )
    server.init_socket()
    work.listening(args.host, server.server_port)
    server.serve_forever()
