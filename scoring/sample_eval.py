"""How the scorer fares on the bundled Brightloop sample, by tag.

Stores the sample's mention records in a throw-away SQLite database, scores them with the
worker (so troll likelihood includes behaviour), joins the truth rows and reports sentiment
accuracy on sarcastic vs. plain posts, how many praising posts read as complaints (the reading
that opens a case on a fan), the language flag on foreign posts, and how well troll
likelihood separates the troll / pile-on posts from the rest. ``python -m critic2fan.sample_eval``
reads the sample's files and prints the report as one JSON object.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.records import MentionRecord

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

Truth = Mapping[tuple[str, str], Mapping[str, Any]]


def read_truth(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """The truth rows about mentions (``kind == "mention"``), by ``(source, id)``."""
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("kind") == "mention":
                out[(row["source"], str(row["id"]))] = row
    return out


@contextmanager
def scored_sample(scorer: Any, records: Sequence[MentionRecord]) -> Iterator[Engine]:
    """A throw-away SQLite store holding ``records`` scored by the worker (behaviour included),
    removed on exit."""
    from scoring.worker import score_pending
    from store.engine import make_engine
    from store.migrate import upgrade
    from store.writer import write_batch

    with tempfile.TemporaryDirectory(prefix="c2f-sample-") as folder:
        engine = make_engine(f"sqlite:///{folder}/sample.db")
        try:
            upgrade(engine)
            write_batch(engine, records)
            score_pending(engine, scorer)
            yield engine
        finally:
            engine.dispose()


def sample_report(scorer: Any, records: Sequence[MentionRecord], truth: Truth) -> dict[str, Any]:
    """Score ``records`` with ``scorer`` and measure it against ``truth`` by tag.

    The caller reads the sample's files (the records and :func:`read_truth`'s rows), so
    scoring needs no knowledge of the import format.
    """
    from sklearn.metrics import roc_auc_score

    from store.scores import scored_mentions

    with scored_sample(scorer, records) as engine, engine.connect() as conn:
        rows = scored_mentions(conn)
    groups: dict[str, list[bool]] = {"sarcasm": [], "plain": [], "all": []}
    foreign_flagged: list[bool] = []
    english_flagged: list[bool] = []
    troll_y: list[int] = []
    troll_p: list[float] = []
    examples: list[dict[str, Any]] = []
    praise_read_negative: list[bool] = []
    for source, ext, text, label, troll, supported, _reasons in rows:
        t = truth.get((source, ext))
        if t is None:
            continue
        tags = set(t.get("tags") or [])
        if "foreign" in tags:
            foreign_flagged.append(not supported)
        else:
            english_flagged.append(not supported)
        if "brand_reply" in tags:
            continue
        troll_y.append(int(bool(tags & {"troll", "pileon"})))
        troll_p.append(float(troll))
        if "foreign" in tags or not t.get("sentiment"):
            continue
        correct = label == t["sentiment"]
        groups["all"].append(correct)
        groups["sarcasm" if "sarcasm" in tags else "plain"].append(correct)
        if t["sentiment"] == "positive":
            praise_read_negative.append(label == "negative")
        if "sarcasm" in tags and len(examples) < 5:
            examples.append({"text": text[:140], "truth": t["sentiment"], "predicted": label})
    acc = {k: (round(sum(v) / len(v), 3) if v else None) for k, v in groups.items()}
    return {
        "sentiment_accuracy": acc,
        "rows": {k: len(v) for k, v in groups.items()},
        "positive_read_negative": {
            "posts": sum(praise_read_negative),
            "of": len(praise_read_negative),
        },
        "foreign_flagged_share": _share(foreign_flagged),
        "english_flagged_share": _share(english_flagged),
        "troll_roc_auc": round(float(roc_auc_score(troll_y, troll_p)), 3)
        if 0 < sum(troll_y) < len(troll_y)
        else None,
        "troll_posts": sum(troll_y),
        "sarcasm_examples": examples,
    }


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None
