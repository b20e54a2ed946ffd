"""``python -m critic2fan.topics_eval``: discovered topics against the sample's known themes.

Scores the bundled sample with the default model in a throw-away store (the scorer keeps each
mention's vector as in production), discovers topics with each method, with and without the
default playbook's topics as seeds, and prints one JSON object: purity, adjusted Rand index,
the share of themed posts given a topic, the topics found, and the time discovery took.
``docs/topics.md`` reports its figures.
"""

from __future__ import annotations

import json
import time
import warnings
from collections import Counter
from dataclasses import replace
from typing import Any


def main() -> None:
    """Print the evaluation's JSON object."""
    warnings.filterwarnings("ignore")
    from core.clock import utcnow
    from critic2fan.sample_eval import sample_records
    from critic2fan.settings import load_settings
    from playbooks.loader import load_playbook
    from sample import TRUTH_PATH
    from scoring.default import DefaultScorer
    from scoring.sample_eval import scored_sample
    from scoring.topics.evaluate import UNASSIGNED, known_themes, scores
    from scoring.topics.service import DEFAULT_PARAMS, rediscover, summaries
    from store.topics import clear_topics, mention_topic_keys

    settings = load_settings()
    with TRUTH_PATH.open(encoding="utf-8") as fh:
        themes = known_themes(json.loads(line) for line in fh)
    seeds = {name: t.keywords for name, t in load_playbook().topics.items()}
    scorer = DefaultScorer(threads=2, cache_dir=settings.model.cache_dir)
    runs: list[dict[str, Any]] = []
    with scored_sample(scorer, sample_records()) as engine:
        for method in ("hdbscan", "kmeans"):
            for seeded in (False, True):
                params = replace(DEFAULT_PARAMS, method=method)
                started = time.perf_counter()
                report = rediscover(
                    engine, seeds=seeds if seeded else None, params=params, now=utcnow()
                )
                took = time.perf_counter() - started
                with engine.connect() as conn:
                    keys = mention_topic_keys(conn)
                truth, found = [], []
                for k in keys:
                    theme = themes.get((k.source, k.external_id))
                    if theme is not None:
                        truth.append(theme)
                        found.append(UNASSIGNED if k.topic_id is None else str(k.topic_id))
                run: dict[str, Any] = {
                    "method": method,
                    "seeded": seeded,
                    "topics": report.topics,
                    "mentions": report.mentions,
                    "themed_posts": len(truth),
                    "discovery_seconds": round(took, 3),
                    **scores(truth, found),
                }
                if method == DEFAULT_PARAMS.method and seeded:
                    run["found"] = [
                        {"label": s.label, "mentions": s.mentions, "terms": s.terms[:5]}
                        for s in summaries(engine, now=utcnow())
                    ]
                runs.append(run)
                # every run starts from no topics, so none inherits another's ids
                with engine.begin() as conn:
                    clear_topics(conn)
    counts = Counter(themes.values())
    print(
        json.dumps(
            {
                "runs": runs,
                "themes": dict(counts),
                "one_cluster_purity": round(max(counts.values()) / sum(counts.values()), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
