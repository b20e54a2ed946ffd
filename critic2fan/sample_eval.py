"""``python -m critic2fan.sample_eval``: the scorer's report on the bundled sample, as JSON.

The shell reads the sample's files (the import format belongs to the listener) and hands the
records to :func:`scoring.sample_eval.sample_report`, which needs no knowledge of files.
"""

from __future__ import annotations

import json
import warnings

from core.records import MentionRecord


def sample_records() -> list[MentionRecord]:
    """The bundled sample's mentions as `critic2fan demo` stores them: with their languages (so
    the scorer flags what it flags in production) and the brand's own accounts marked (the
    sample is Brightloop's, whose accounts are the default ``brand.accounts``)."""
    from core.config import BrandAccounts
    from listener.files import GoodRow, read_import_file
    from listener.language import with_language
    from listener.matching import BrandIdentity
    from sample import MENTIONS_PATH

    rows = read_import_file(MENTIONS_PATH, brand=BrandIdentity.from_settings(BrandAccounts()))
    return [with_language(row.record) for row in rows if isinstance(row, GoodRow)]


def main() -> None:
    """Score the bundled sample with the default model and print the report's JSON object."""
    warnings.filterwarnings("ignore")
    from critic2fan.settings import load_settings
    from sample import TRUTH_PATH
    from scoring.default import DefaultScorer
    from scoring.sample_eval import read_truth, sample_report

    settings = load_settings()
    records = sample_records()
    scorer = DefaultScorer(threads=2, cache_dir=settings.model.cache_dir)
    print(json.dumps(sample_report(scorer, records, read_truth(TRUTH_PATH))))


if __name__ == "__main__":
    main()
