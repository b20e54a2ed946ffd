"""The sample report reads the sample as an import would store it."""

from __future__ import annotations

import json

from critic2fan.sample_eval import sample_records
from sample import TRUTH_PATH


def test_sample_records__every_foreign_post_carries_a_non_english_language() -> None:
    with TRUTH_PATH.open(encoding="utf-8") as fh:
        truth = [json.loads(line) for line in fh]
    foreign = {(t["source"], str(t["id"])) for t in truth if "foreign" in t.get("tags", [])}
    records = {(r.source, r.external_id): r for r in sample_records()}
    assert foreign and foreign <= set(records)
    assert all(records[key].lang not in (None, "en") for key in foreign)
