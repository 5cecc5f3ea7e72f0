"""The PURGE backend gives up on a front cache that does not answer, and still purges one that does."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lms_pages.purge_backend import TimeoutHTTPBackend


def test_a_front_cache_that_never_answers_holds_the_worker_only_for_the_timeout(caplog):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never reads or answers
    try:
        backend = TimeoutHTTPBackend(
            {"LOCATION": f"http://127.0.0.1:{silent.getsockname()[1]}", "TIMEOUT": 0.5}
        )
        started = time.monotonic()
        backend.purge("http://localhost/hodepineskolen/")
        assert time.monotonic() - started < 3
    finally:
        silent.close()
    assert "Couldn't purge 'http://localhost/hodepineskolen/'" in caplog.text


def test_a_purge_reaches_the_front_cache_with_the_pages_host():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):
            seen.append((self.command, self.path, self.headers["Host"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        TimeoutHTTPBackend({"LOCATION": f"http://127.0.0.1:{server.server_port}"}).purge(
            "http://kommune.example.org:8000/friskliv/?page=2"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [("PURGE", "/friskliv/?page=2", "kommune.example.org:8000")]
