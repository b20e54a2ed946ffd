"""Topic assignment against scoring, per mention: ``python benchmarks/topics.py [--quick]``.

Measured in one run on the bundled sample, stored in a throw-away SQLite database:

- ``score_ms_per_mention``: the default scorer on batches of 64 mentions, its caches cleared
  before each round (what ``score_batch`` spends in the model);
- ``assign_ms_per_mention``: what the scorer adds for topics on the same batches: the vectors
  back from the encoder's cache, one read of the active centroids, the nearest centroid and
  the write of each mention's vector and topic, in its own transaction (topics discovered
  first, so there are centroids to compare with);
- ``assign_to_score_ratio``: the two divided (well below 1: assignment never holds the
  scorer up);
- ``discovery_s``: one re-discovery over every kept vector; ``topics``, ``mentions``.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
warnings.filterwarnings("ignore")

BATCH = 64


def main() -> None:
    """Run the measurement and print its JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="Rounds; medians are reported.")
    parser.add_argument("--quick", action="store_true", help="One round (make bench).")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds

    from core.clock import utcnow
    from critic2fan.sample_eval import sample_records
    from playbooks.loader import load_playbook
    from scoring.base import TextInput
    from scoring.default import DefaultScorer
    from scoring.topics.service import assign_scored, rediscover
    from scoring.worker import score_pending
    from store.engine import make_engine
    from store.migrate import upgrade
    from store.pending import scoring_transaction
    from store.topics import stored_vectors
    from store.writer import write_batch

    scorer = DefaultScorer(threads=2)
    seeds = {name: t.keywords for name, t in load_playbook().topics.items()}
    with tempfile.TemporaryDirectory(prefix="c2f-topics-") as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        write_batch(engine, sample_records())
        score_pending(engine, scorer)
        started = time.perf_counter()
        report = rediscover(engine, seeds=seeds, now=utcnow())
        discovery_s = time.perf_counter() - started
        with engine.connect() as conn:
            kept = stored_vectors(conn)
        batches = [kept[i : i + BATCH] for i in range(0, len(kept), BATCH)]
        score_ms, assign_ms = [], []
        for _ in range(rounds):
            scorer.clear_cache()
            spent_score = spent_assign = 0.0
            for batch in batches:
                texts = [k.text for k in batch]
                t0 = time.perf_counter()
                scorer.score([TextInput(t, "en") for t in texts])
                t1 = time.perf_counter()
                vectors = scorer.embed(texts)
                with scoring_transaction(engine) as conn:
                    assign_scored(conn, [k.mention_id for k in batch], vectors, now=utcnow())
                t2 = time.perf_counter()
                spent_score += t1 - t0
                spent_assign += t2 - t1
            score_ms.append(1000 * spent_score / len(kept))
            assign_ms.append(1000 * spent_assign / len(kept))
        engine.dispose()
    score = statistics.median(score_ms)
    assign = statistics.median(assign_ms)
    print(
        json.dumps(
            {
                "mentions": len(kept),
                "topics": report.topics,
                "batch": BATCH,
                "score_ms_per_mention": round(score, 3),
                "assign_ms_per_mention": round(assign, 3),
                "assign_to_score_ratio": round(assign / score, 3),
                "discovery_s": round(discovery_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
