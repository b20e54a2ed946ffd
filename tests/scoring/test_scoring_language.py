"""The language decision: trust platform tags, flag confident foreign guesses, read the rest."""

from __future__ import annotations

import pytest

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
