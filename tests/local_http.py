"""A real HTTP server on loopback for tests (http.server in a thread): routes answer, requests are kept.

    with LocalHTTP({"/feed.rss": (200, {"Content-Type": "application/rss+xml"}, b"<rss>...")}) as web:
        fetch(web.url + "/feed.rss", allow_private=True)
        web.requests            # [Request(method, path, headers, body), ...]

A route is (status, headers, body) or a callable(request) returning one;
a list of them answers in turn (the last one repeats). `tls=(certfile,
keyfile)` serves HTTPS. The header
"X-No-Length" (not sent) leaves out Content-Length.
"""
from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes


Answer = tuple[int, dict, bytes]


class LocalHTTP:
    def __init__(self, routes: dict[str, Answer | Callable | list] | None = None, tls: tuple[str, str] | None = None):
        self.routes = dict(routes or {})
        self.requests: list[Request] = []
        self.received = threading.Condition()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner._answer(self, b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                owner._answer(self, self.rfile.read(length))

            def log_message(self, *args):   # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:   # (certfile, keyfile): serve HTTPS
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        request = Request(handler.command, handler.path, dict(handler.headers), body)
        with self.received:   # kept before answering: the client may be done as soon as it has the answer
            self.requests.append(request)
            self.received.notify_all()
        route = self.routes.get(handler.path.split("?")[0], (404, {}, b"not found"))
        if isinstance(route, list):
            route = route.pop(0) if len(route) > 1 else route[0]
        status, headers, payload = route(request) if callable(route) else route
        headers = dict(headers)
        unsized = headers.pop("X-No-Length", None)   # HTTP/1.0: the body ends when the connection closes
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if "Content-Length" not in headers and not unsized:
            handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Request]:
        """Block until `count` requests have arrived (or the timeout passes); returns them."""
        with self.received:
            self.received.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return list(self.requests)

    def __enter__(self) -> "LocalHTTP":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
