"""A loopback HTTP server for platform fakes: JSON replies, chunked streams, SSE, drops.

A fake is a function ``route(req) -> Reply``; the server runs it in its own thread for each
request (stdlib ``http.server``), records every request, and can stream a reply chunk by
chunk (X's filtered stream, Mastodon's SSE) or cut the connection mid-stream.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """What the client sent."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``."""
        values = self.query.get(name) or self.query.get(name + "[]")
        return values[0] if values else default

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    """What the fake answers: a body (bytes, str or JSON-able) or a stream of chunks."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterable[bytes] | None = None
    drop: bool = False  # after the stream, cut the connection without finishing it
    hold: float = 0.0  # after the stream, keep the connection open this long (or until stop)


Route = Callable[[Request], Reply]


class FakeHTTPServer:
    """Serves ``route`` on 127.0.0.1 on ``port`` (0: a free one); use as a context manager."""

    def __init__(self, route: Route, *, port: int = 0) -> None:
        self.route = route
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [r.path for r in self.requests]

    def __enter__(self) -> FakeHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(
                    self.command,
                    split.path,
                    parse_qs(split.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                fake.requests.append(req)
                reply = fake.route(req)
                if reply.stream is not None:
                    self._stream(reply)
                    return
                body = reply.body
                if not isinstance(body, bytes | str):
                    body = json.dumps(body)
                data = body.encode() if isinstance(body, str) else body
                self.send_response(reply.status)
                self.send_header(
                    "Content-Type", reply.headers.pop("Content-Type", "application/json")
                )
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if req.headers.get("connection", "").lower() == "close":
                    # Say so, as real servers do: a client would reuse the closed connection.
                    self.send_header("Connection", "close")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for chunk in reply.stream or ():
                        if fake.stopping.is_set():
                            break
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    if reply.drop:
                        self.wfile.write(b"ff\r\npartial")  # a chunk that never ends
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    deadline = time.monotonic() + reply.hold
                    while time.monotonic() < deadline and not fake.stopping.is_set():
                        time.sleep(0.05)
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            do_GET = do_POST = do_DELETE = do_PUT = _serve  # noqa: N815

        return Handler


def sse(events: Iterable[tuple[str, str]]) -> Iterator[bytes]:
    """Server-sent events as Mastodon sends them: ``event: NAME`` + ``data: JSON``."""
    yield b":thump\n\n"
    for name, data in events:
        yield f"event: {name}\ndata: {data}\n\n".encode()
