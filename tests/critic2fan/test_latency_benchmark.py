"""The latency benchmark's measuring function, on a tiny scale: nothing lost, the JSON keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.latency import measure


@pytest.mark.slow
def test_latency__every_post_reaches_the_queue_with_its_timings(tmp_path: Path) -> None:
    result = measure(f"sqlite:///{tmp_path}/latency.db", mentions=20, warmup=5)
    assert result["lost"] == 0 and result["mentions"] == 20
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["max_s"] < 30
    assert set(result) == {"p50_s", "p95_s", "max_s", "mentions", "lost", "stages", "queue_read_ms"}
    assert 0 < result["queue_read_ms"]["p50"] <= result["queue_read_ms"]["max"]
    assert set(result["stages"]) == {"listener", "scorer", "playbook_and_board"}
    assert result["stages"]["scorer"]["p50_s"] is not None
    json.dumps(result)  # one JSON line is printed from it
