"""A thread per connection, from the standard library: http.server's ThreadingHTTPServer,
HTTP/1.1 with keep-alive, time.sleep for the wait. The GIL lets one thread run Python at a
time; a sleeping thread holds no lock. Nagle's algorithm is off, as in every Rust server: the
handler writes the head and the body apart, and the body would wait for the client's delayed
ACK (about 40 ms on Linux).

The Rust server beside it: crates/serve-threads. Run:
python/.venv/bin/python python/servers/serve_threads.py --port 8080
"""

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import work


class Work(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def setup(self):
        work.stats["accepted"] += 1
        super().setup()

    def do_GET(self, head=False):
        target = urlsplit(self.path)
        status, delay, body = work.route(target.path, target.query)
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET(head=True)

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True


if __name__ == "__main__":
    args = work.parse_args()
    Server.request_queue_size = args.backlog
    server = Server((args.host, args.port), Work)
    work.listening(args.host, server.server_address[1])
    server.serve_forever()
