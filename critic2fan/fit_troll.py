"""``python -m critic2fan.fit_troll``: refit the troll fusion on the bundled sample's personas.

The shell reads the sample's files (the import format belongs to the listener), scores them
with the default model and hands the rows to :mod:`scoring.fit_troll`. It writes
``scoring/heads/troll-fusion.json`` (or ``--out``) and prints the held-back authors' figures
at the playbook's threshold, which is what ``docs/model-card.md`` reports.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path
from typing import Any


def sample_rows() -> tuple[list[Any], dict[tuple[str, str], str], dict[str, Any]]:
    """The bundled sample scored by the default model: rows, personas, provenance."""
    from critic2fan.settings import load_settings
    from listener.files import GoodRow, read_import_file
    from sample import MENTIONS_PATH, TRUTH_PATH
    from scoring import fit_troll
    from scoring.default import DefaultScorer

    settings = load_settings()
    records = [row.record for row in read_import_file(MENTIONS_PATH) if isinstance(row, GoodRow)]
    personas = fit_troll.read_personas(TRUTH_PATH)
    scorer = DefaultScorer(threads=2, cache_dir=settings.model.cache_dir)
    rows = fit_troll.sample_rows(scorer, records, personas)
    provenance = {
        "command": "python -m critic2fan.fit_troll",
        "sample_sha256": fit_troll.digest([MENTIONS_PATH, TRUTH_PATH]),
        "scorer": f"{scorer.model_name} {scorer.model_version}",
    }
    return rows, personas, provenance


def playbook_threshold() -> float:
    """``troll_likely`` of the bundled default playbook."""
    from playbooks.loader import load_playbook

    return float(load_playbook().thresholds.troll_likely)


def main(argv: list[str] | None = None) -> None:
    """Refit, write the weights file, print held-back figures as JSON."""
    warnings.filterwarnings("ignore")
    from scoring import fit_troll
    from scoring.troll import WEIGHTS_PATH, weights_from_dict

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument(
        "--held-back",
        action="store_true",
        help="also print the held-back authors' figures (measure only: choose nothing on them)",
    )
    args = parser.parse_args(argv)
    rows, personas, provenance = sample_rows()
    threshold = playbook_threshold()
    data = fit_troll.build(rows, personas, threshold=threshold, provenance=provenance)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    report: dict[str, Any] = {"cross_validation": data["made_by"]["cross_validation"]}
    if args.held_back:
        held = fit_troll.evaluate(rows, personas, weights_from_dict(data), threshold)
        report["held_back"] = {
            **held.__dict__,
            "troll_share": held.troll_share,
            "critic_share": held.critic_share,
        }
        weights = weights_from_dict(data)
        playbook = fit_troll.playbook_figures(rows, personas, weights, threshold)
        report["held_back_with_pileon_rule"] = {
            **playbook.__dict__,
            "troll_share": playbook.troll_share,
            "critic_share": playbook.critic_share,
        }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
