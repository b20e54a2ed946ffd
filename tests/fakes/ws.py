"""A loopback WebSocket server (``websockets`` sync server in a thread) for stream fakes.

``handler(connection, request_path)`` sends frames; returning closes the connection
cleanly, raising or calling ``connection.close(1011)`` drops it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from websockets.sync.server import Server, ServerConnection, serve

Handler = Callable[[ServerConnection, str], None]


class FakeWebSocketServer:
    """Serves ``handler`` on ``ws://127.0.0.1:PORT``; records each connection's path."""

    def __init__(
        self, handler: Handler, *, subprotocols: list[str] | None = None, port: int = 0
    ) -> None:
        self.handler = handler
        self.paths: list[str] = []
        self.stopping = threading.Event()
        self._server: Server = serve(
            self._handle,
            "127.0.0.1",
            port,
            subprotocols=subprotocols,  # type: ignore[arg-type]
            max_size=None,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URI, e.g. ``ws://127.0.0.1:PORT``."""
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def _handle(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else "/"
        self.paths.append(path)
        try:
            self.handler(connection, path)
        except Exception:  # a handler that "drops" the connection
            return

    def __enter__(self) -> FakeWebSocketServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopping.set()
        self._server.shutdown()
