"""From a client library that pushes (calls ``on_message`` in its own thread) to an iterator.

Streaming clients (Jetstream's websocket, tweepy's ``StreamingClient``, Mastodon.py's SSE
listener) run a blocking loop and call us back. A :class:`~listener.base.Source` instead yields
from ``fetch``. :class:`PushStream` joins the two::

    stream = PushStream(name="jetstream", tick=0.25)
    stream.start(lambda: client.start(stream.put))   # the library's loop, in a thread
    for item in stream:                               # the source's fetch, in the reader
        ...

* the queue is bounded: a fast producer blocks in ``put`` (the library stops reading its
  socket) instead of filling memory;
* an exception in the producer's thread is raised in the consumer, after what came before it;
* ``close()`` (from any thread) ends the iteration at once and unblocks a waiting producer,
  whose further items are dropped;
* with ``tick``, the iterator yields :data:`TICK` after that many seconds of silence, so a
  quiet stream can still flush what it holds.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Final, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Yielded after ``tick`` seconds without an item.
TICK: Final = None
#: How often a blocked producer or a waiting consumer looks whether the stream was closed.
_CHECK_S = 0.25


class _End:
    """The producer finished, with ``error`` if it failed."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class PushStream(Generic[T]):
    """A bounded hand-over from a producer thread's callbacks to one consuming iterator."""

    def __init__(self, *, name: str = "push", maxsize: int = 1000, tick: float | None = None):
        self.name = name
        self.tick = tick
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=maxsize)
        self._closed = threading.Event()
        self._ended = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed.is_set()

    def put(self, item: T) -> None:
        """Hand ``item`` to the consumer (the producer's callback); waits while the queue is full.

        After :meth:`close` the item is dropped, so a producer never hangs on a consumer that
        has gone.
        """
        self._offer(item)

    def _offer(self, item: T | _End) -> None:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=_CHECK_S)
                return
            except queue.Full:
                continue

    def start(self, produce: Callable[[], object]) -> None:
        """Run ``produce()`` (the library's blocking loop) in a daemon thread.

        When it returns the iteration ends; when it raises, the consumer gets the error.
        """

        def run() -> None:
            error: BaseException | None = None
            try:
                produce()
            except BaseException as exc:  # handed to the consuming thread
                error = exc
            self._offer(_End(error))

        threading.Thread(target=run, name=self.name, daemon=True).start()

    def close(self) -> None:
        """End the iteration (from any thread); later items are dropped."""
        self._closed.set()

    def __iter__(self) -> Iterator[T | None]:
        """Items in the order they were put; :data:`TICK` on silence when ``tick`` is set."""
        silent = 0.0
        while not (self._closed.is_set() or self._ended):
            wait = _CHECK_S if self.tick is None else min(_CHECK_S, self.tick - silent)
            try:
                item = self._queue.get(timeout=max(wait, 0.0))
            except queue.Empty:
                silent += wait
                if self.tick is not None and silent >= self.tick:
                    silent = 0.0
                    yield TICK
                continue
            silent = 0.0
            if isinstance(item, _End):
                self._ended = True
                if item.error is not None:
                    raise item.error
                return
            yield item
