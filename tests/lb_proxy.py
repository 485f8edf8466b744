"""A round-robin reverse proxy on 127.0.0.1: nginx's part in compose.yaml, for the tests.

Like the nginx configuration in deploy/, it passes each webhook POST (with its secret header)
to the next bot in turn and, when a bot does not answer, to the other one.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FORWARDED_HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobin:
    """The backends' ports, taken in turn; counts what each one answered."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.answered: Counter[int] = Counter()
        self._next = itertools.cycle(range(len(ports)))
        self._lock = threading.Lock()

    def order(self) -> list[int]:
        """The ports to try for one request: the next in turn first, then the others."""
        with self._lock:
            first = next(self._next)
        return self.ports[first:] + self.ports[:first]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k: v for k in FORWARDED_HEADERS if (v := self.headers.get(k)) is not None}
        for port in self.server.backends.order():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("POST", self.path, body, headers)
                reply = connection.getresponse()
                payload = reply.read()
            except OSError:
                continue  # that bot is down: the next one takes it (proxy_next_upstream)
            finally:
                connection.close()
            self.server.backends.answered[port] += 1
            self.send_response(reply.status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_error(502)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the counts."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    backends: RoundRobin


@contextmanager
def proxy(ports: list[int]) -> Iterator[tuple[int, RoundRobin]]:
    """Serve the proxy on a free port until the block ends: (its port, the backends)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.backends = RoundRobin(ports)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.backends
    finally:
        server.shutdown()
        server.server_close()
