"""Run a generator in a background thread, a few items ahead of its consumer.

The export reads page N+1 from the database (the ADBC drivers release the GIL while they read)
while page N is assembled, cast and written (Arrow's kernels and writers release it too). The
queue is bounded, so memory stays at ``depth`` + 2 pages; errors in the producer are re-raised
in the consumer, and a consumer that stops early (an error while writing) stops the producer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


def prefetch(produce: Callable[[], Iterator[T]], *, depth: int = 2) -> Iterator[T]:
    """Yield what ``produce()`` yields, computed in a worker thread up to ``depth`` ahead."""
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in produce():
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, re-raised there
            put(_Failure(exc))

    thread = threading.Thread(target=work, name="export-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
