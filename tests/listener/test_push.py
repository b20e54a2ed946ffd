"""The push adapter: a producer thread's callbacks become one bounded, stoppable iterator."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from listener.push import TICK, PushStream


def _producer(stream: PushStream[int], items: list[int], then: Callable[[], None] | None = None):
    def produce() -> None:
        for item in items:
            stream.put(item)
        if then is not None:
            then()

    return produce


def test_push__items_arrive_in_order_and_the_end_ends_the_iteration() -> None:
    stream: PushStream[int] = PushStream()
    stream.start(_producer(stream, list(range(50))))
    assert list(stream) == list(range(50))


def test_push__producer_error_is_raised_after_what_came_before() -> None:
    def fail() -> None:
        raise ConnectionError("socket closed")

    stream: PushStream[int] = PushStream()
    stream.start(_producer(stream, [1, 2], then=fail))
    got: list[int | None] = []
    with pytest.raises(ConnectionError, match="socket closed"):
        for item in stream:
            got.append(item)
    assert got == [1, 2]


def test_push__a_full_queue_holds_the_producer_back() -> None:
    stream: PushStream[int] = PushStream(maxsize=3)
    produced: list[int] = []

    def produce() -> None:
        for i in range(10):
            stream.put(i)
            produced.append(i)

    stream.start(produce)
    time.sleep(0.3)
    assert len(produced) == 3  # the fourth put waits for the consumer
    assert list(stream) == list(range(10))


def test_push__close_ends_iteration_and_frees_a_blocked_producer() -> None:
    stream: PushStream[int] = PushStream(maxsize=1)
    finished = threading.Event()

    def produce() -> None:
        for i in range(1000):
            stream.put(i)
        finished.set()

    stream.start(produce)
    items = iter(stream)
    got = [next(items), next(items)]
    time.sleep(0.1)  # the producer is now blocked on the full queue
    assert not finished.is_set()
    stream.close()
    assert finished.wait(2), "the producer stayed blocked on a closed stream"
    assert got == [0, 1] and list(items) == []  # nothing more after the close
    assert stream.closed


def test_push__close_from_another_thread_ends_a_quiet_iteration() -> None:
    stream: PushStream[int] = PushStream()
    stream.start(lambda: time.sleep(10))  # a connection that delivers nothing
    threading.Timer(0.1, stream.close).start()
    start = time.monotonic()
    assert list(stream) == []
    assert time.monotonic() - start < 1.0


def test_push__tick_marks_silence() -> None:
    stream: PushStream[int] = PushStream(tick=0.1)
    release = threading.Event()

    def produce() -> None:
        stream.put(1)
        release.wait(5)
        stream.put(2)

    stream.start(produce)
    got: list[int | None] = []
    for item in stream:
        got.append(item)
        if got.count(TICK) == 2:
            release.set()
    assert got[0] == 1 and got[-1] == 2 and got.count(TICK) >= 2
