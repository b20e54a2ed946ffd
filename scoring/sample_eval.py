"""How the scorer fares on the bundled Brightloop sample, by tag: ``python -m scoring.sample_eval``.

Loads ``critic2fan/sample/mentions.jsonl`` into a throw-away SQLite database, scores it with the
worker (so troll likelihood includes behaviour), joins ``truth.jsonl`` and reports sentiment
accuracy on sarcastic vs. plain posts, the language flag on foreign posts, and how well troll
likelihood separates the troll / pile-on posts from the rest. Prints one JSON object last.
"""

from __future__ import annotations

import json
import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "critic2fan" / "sample"


def _truth(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("kind") == "mention":
                out[(row["source"], str(row["id"]))] = row
    return out


def sample_report(scorer: Any, sample_dir: Path = SAMPLE_DIR) -> dict[str, Any]:
    """Score the sample with ``scorer`` and measure it against the sample's truth by tag."""
    from sklearn.metrics import roc_auc_score
    from sqlalchemy import select

    from listener.importer import import_file
    from scoring.worker import score_pending
    from store.engine import make_engine
    from store.migrate import upgrade
    from store.models import Mention, Score

    mt: Any = Mention.__table__.c  # type: ignore[attr-defined]
    st: Any = Score.__table__.c  # type: ignore[attr-defined]
    truth = _truth(sample_dir / "truth.jsonl")
    with tempfile.TemporaryDirectory(prefix="c2f-sample-") as folder:
        engine = make_engine(f"sqlite:///{folder}/sample.db")
        upgrade(engine)
        import_file(engine, sample_dir / "mentions.jsonl")
        score_pending(engine, scorer)
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    mt.source,
                    mt.external_id,
                    mt.text,
                    st.sentiment_label,
                    st.troll_likelihood,
                    st.language_supported,
                    st.troll_reasons,
                ).join(Score, st.mention_id == mt.id)
            ).all()
        engine.dispose()
    groups: dict[str, list[bool]] = {"sarcasm": [], "plain": [], "all": []}
    foreign_flagged: list[bool] = []
    english_flagged: list[bool] = []
    troll_y: list[int] = []
    troll_p: list[float] = []
    examples: list[dict[str, Any]] = []
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
        if "sarcasm" in tags and len(examples) < 5:
            examples.append({"text": text[:140], "truth": t["sentiment"], "predicted": label})
    acc = {k: (round(sum(v) / len(v), 3) if v else None) for k, v in groups.items()}
    return {
        "sentiment_accuracy": acc,
        "rows": {k: len(v) for k, v in groups.items()},
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


def main() -> None:
    """Run the report with the bundled default scorer."""
    warnings.filterwarnings("ignore")
    from scoring.default import DefaultScorer

    print(json.dumps(sample_report(DefaultScorer(threads=2))))


if __name__ == "__main__":
    main()
