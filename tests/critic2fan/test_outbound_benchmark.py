"""The outbound benchmark on a small scale: a SIGKILLed sender, faults, and every reply once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from benchmarks.outbound import measure

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_outbound__forty_replies_four_platforms_none_twice_none_lost(
    pg_server: object, pg_engine: Engine, tmp_path: Path
) -> None:
    result = measure(pg_server.url, replies=40, folder=tmp_path)  # type: ignore[attr-defined]

    assert result["duplicates"] == 0 and result["lost"] == 0
    assert result["approved"] == result["sent"] == 40
    assert result["platforms"] == 4
    assert sum(result["posts"].values()) == 40
    assert result["stranded_by_kill"] >= 1  # the kill landed while the victim held rows
    assert sum(result["faults"].values()) >= 3  # the fakes answered 429s and 5xx
    assert result["worker_exit_codes"] == [0, 0, 0]
    assert 0 < result["p50_send_s"] <= result["p95_send_s"] < 120
    json.dumps(result)  # one JSON line is printed from it
