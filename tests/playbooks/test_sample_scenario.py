"""The bundled two-week sample, replayed through the playbook with a fake scorer built from the
ground truth: repeat critics end as fans, trolls as walk-aways, every stage is reached."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from playbooks import service
from playbooks.runner import process_pending
from playbooks.schema import Playbook
from store.models import Author, Case, Mention, Score

SAMPLE = Path(__file__).resolve().parents[2] / "sample"
MENTIONS, TRUTH = SAMPLE / "mentions.jsonl", SAMPLE / "truth.jsonl"
LABEL_PROBS = {
    "negative": (0.88, 0.08, 0.04),
    "neutral": (0.15, 0.7, 0.15),
    "positive": (0.03, 0.07, 0.9),
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (MENTIONS.exists() and TRUTH.exists()), reason="sample not bundled"),
]


def _truth_rows(kind: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines() if line]
    return [row for row in rows if row.get("kind") == kind]


def _truth() -> dict[tuple[str, str], dict[str, Any]]:
    """Mention ground truth by (source, id)."""
    return {(str(row["source"]), str(row["id"])): row for row in _truth_rows("mention")}


def _is_troll(row: dict[str, Any]) -> bool:
    tags = {str(t).lower() for t in row.get("tags") or ()}
    return bool(tags & {"troll", "insult", "trolling", "bad_faith", "pileon"})


def _fake_scores(engine: Engine, truth: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Scores from the truth file's sentiment labels and troll tags (the scorer's stand-in)."""
    with Session(engine) as s:
        for m in s.exec(select(Mention)).all():
            row = truth.get((m.source, m.external_id), {})
            neg, neu, pos = LABEL_PROBS.get(str(row.get("sentiment", "neutral")), (0.2, 0.6, 0.2))
            troll = 0.92 if _is_troll(row) else 0.05
            s.add(
                Score(
                    mention_id=m.id,
                    model_name="truth",
                    model_version="1",
                    sentiment_label=str(row.get("sentiment", "neutral")),
                    p_negative=neg,
                    p_neutral=neu,
                    p_positive=pos,
                    sentiment=pos - neg,
                    toxicity=troll,
                    troll_likelihood=troll,
                    troll_reasons=["insults"] if troll > 0.5 else [],
                )
            )
        s.commit()


def _personas(engine: Engine) -> dict[int, str]:
    """Author persona by stored author id, from the truth file's author rows."""
    by_handle = {(row["platform"], row["handle"]): row["persona"] for row in _truth_rows("author")}
    with Session(engine) as s:
        return {
            a.id: str(by_handle[(a.platform, a.handle)])
            for a in s.exec(select(Author)).all()
            if a.id is not None and (a.platform, a.handle) in by_handle
        }


def test_sample__repeat_critics_become_fans_and_trolls_walk_away(
    engine: Engine, pb: Playbook
) -> None:
    from core.config import BrandAccounts
    from listener.importer import import_file
    from listener.matching import BrandIdentity

    truth = _truth()
    import_file(engine, MENTIONS, brand=BrandIdentity.from_settings(BrandAccounts()))
    _fake_scores(engine, truth)
    process_pending(engine, pb)
    with Session(engine) as s:
        open_cases = s.exec(select(Case).where(col(Case.is_open).is_(True))).all()
        recommended = [
            (c.id, c.updated_at) for c in open_cases if c.state.get("walkaway_recommended")
        ]
    for case_id, at in recommended:  # staff confirm the engine's walk-away recommendations
        service.confirm_walk_away(engine, case_id, "lead", at, playbook=pb)
    personas = _personas(engine)
    by_persona: dict[str, list[Case]] = defaultdict(list)
    with Session(engine) as s:
        cases = s.exec(select(Case).order_by(col(Case.opened_at))).all()
        brand = {a.id for a in s.exec(select(Author).where(col(Author.is_brand).is_(True)))}
    for case in cases:
        assert case.author_id not in brand
        by_persona[personas.get(case.author_id, "unknown")].append(case)

    converts = by_persona["repeat_critic_converts"]
    assert converts, "the sample's repeat critics opened no cases"
    last_by_author = {c.author_id: c for c in converts}
    fans = sum(1 for c in last_by_author.values() if c.stage == "fan")
    assert fans / len(last_by_author) >= 0.8
    trolls = by_persona["troll"] + by_persona["pileon"]
    assert trolls, "the sample's trolls opened no cases"
    walked = sum(1 for c in trolls if c.stage == "walk_away")
    assert walked / len(trolls) >= 0.8
    assert {c.stage for c in cases} == {"acknowledge", "empathize", "goodwill", "fan", "walk_away"}
