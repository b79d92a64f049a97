"""`make run`'s server holds a burst: connections beyond its workers wait in the backlog, none is refused.

`chalice local` listens with a backlog of 5; 50 clients at once got connection resets
(issue 11): while its threads hold the CPU, the accepting thread falls behind and the
kernel's queue overflows. Here the server accepts nothing until the whole burst has
connected (the worst case of falling behind), then its few workers answer them all.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any

from chalicelib.local_server import PooledHTTPServer

BURST = 200  # connections at once: 40x chalice local's backlog, beyond the 8 workers below
WORKERS = 8


def test_a_burst_of_connections_beyond_the_workers_is_queued_and_every_one_is_answered():
    everyone_connected = threading.Event()
    handled: list[int] = []

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            everyone_connected.wait(timeout=30)
            handled.append(1)
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = PooledHTTPServer(("127.0.0.1", 0), Slow, workers=WORKERS)
    port = server.server_address[1]
    connections: list[socket.socket] = []
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        for _ in range(BURST):  # nothing is accepted yet: every connection waits in the backlog
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"GET / HTTP/1.0\r\nHost: local\r\n\r\n")
            connections.append(connection)
        serving.start()
        everyone_connected.set()

        def answer(connection: socket.socket) -> bytes:
            received = b""
            while chunk := connection.recv(4096):
                received += chunk
            return received

        with ThreadPoolExecutor(max_workers=32) as readers:
            answers = list(readers.map(answer, connections))
    finally:
        for connection in connections:
            connection.close()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.0 200 OK"] * BURST
    assert len(handled) == BURST
