"""The language decision: trust platform tags, flag confident foreign guesses, read the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from scoring.language import MIN_CONFIDENCE, language_code, language_verdict, supported_languages

EN = supported_languages({"en"})


@pytest.mark.parametrize(
    ("lang", "confidence", "supported"),
    [
        (None, None, True),  # unknown (or stored before detection): scored as usual
        ("und", None, True),
        ("en", None, True),
        ("en-GB", None, True),
        ("en", 0.1, True),
        ("fr", None, False),  # the platform's own tag is trusted
        ("pt_BR", None, False),
        ("fr", 0.93, False),
        ("fr", MIN_CONFIDENCE, False),
        ("fr", MIN_CONFIDENCE - 0.01, True),  # an unsure guess gets the benefit of the doubt
    ],
)
def test_verdict__english_model(
    lang: str | None, confidence: float | None, supported: bool
) -> None:
    assert language_verdict(lang, confidence, EN).supported is supported


def test_verdict__names_the_primary_language() -> None:
    assert language_verdict("pt-BR", 0.9, EN).language == "pt"
    assert language_verdict("zxx", None, EN).language is None
    assert language_code(" EN_us ") == "en"


def test_verdict__multilingual_model_supports_everything() -> None:
    verdict = language_verdict("de", 0.99, supported_languages(None))
    assert verdict.supported is True and verdict.language == "de"


def _sample_paths() -> tuple[Path, Path]:
    from sample import MENTIONS_PATH, TRUTH_PATH

    return MENTIONS_PATH, TRUTH_PATH


def test_sample__stored_languages_flag_every_foreign_post_and_no_english_one(
    tmp_path: Path,
) -> None:
    """The bundled sample imported (languages guessed where missing), then decided per row."""
    from listener.importer import import_file
    from store.engine import make_engine
    from store.migrate import upgrade
    from store.models import Mention

    mentions, truth_path = _sample_paths()
    truth = {}
    for line in truth_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("kind") == "mention":
            truth[(row["source"], str(row["id"]))] = "foreign" in (row.get("tags") or [])
    engine = make_engine(f"sqlite:///{tmp_path}/sample.db")
    upgrade(engine)
    import_file(engine, mentions)
    m = Mention.__table__.c  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(select(m.source, m.external_id, m.lang, m.lang_confidence)).all()
    engine.dispose()
    flagged = {
        (r.source, r.external_id): not language_verdict(r.lang, r.lang_confidence, EN).supported
        for r in rows
    }
    foreign = [k for k, is_foreign in truth.items() if is_foreign and k in flagged]
    english = [k for k, is_foreign in truth.items() if not is_foreign and k in flagged]
    assert len(foreign) >= 30 and len(english) >= 500
    assert all(flagged[k] for k in foreign)
    assert not any(flagged[k] for k in english)
    guessed = [r for r in rows if r.lang_confidence is not None]
    assert guessed and all(MIN_CONFIDENCE <= r.lang_confidence <= 1.0 for r in guessed)
