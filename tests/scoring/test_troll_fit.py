"""The fitted troll fusion: its weights file, its cross-validation, the model card's figures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from scoring import fit_troll
from scoring.troll import (
    FITTED,
    HAND_WEIGHTS,
    TERMS,
    WEIGHTS_PATH,
    TrollFeatures,
    troll_likelihood,
    weights_from_dict,
)

CARD = Path(__file__).parents[2] / "docs" / "model-card.md"


def test_weights_file__loads_with_every_term_non_negative_and_its_provenance() -> None:
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert weights_from_dict(data) == FITTED
    assert set(FITTED.weights) == set(TERMS)
    assert all(w >= 0 for w in FITTED.weights.values())
    assert data["made_by"]["command"] == "python -m critic2fan.fit_troll"
    assert "held back" in data["made_by"]["split"]


def test_fitted_verdict__carries_reasons_as_weight_times_feature() -> None:
    f = TrollFeatures(toxicity=0.9, pileon_posts=12, pileon_accounts=15, account_age_days=3)
    verdict = troll_likelihood(f)
    assert verdict.reasons and any("pile-on" in r for r in verdict.reasons)
    assert verdict.contributions["pileon"] == pytest.approx(FITTED.weights["pileon"])


def test_split__is_by_author_stratified_and_disjoint() -> None:
    personas = {("x", f"t{i}"): "troll" for i in range(10)}
    personas |= {("x", f"c{i}"): "casual_critic" for i in range(20)}
    personas[("x", "brightloop")] = "brand"
    fitting, held = fit_troll.split_authors(personas)
    assert not set(fitting) & set(held)
    assert sum(personas[a] == "troll" for a in held) == 3
    assert sum(personas[a] == "casual_critic" for a in held) == 6
    assert ("x", "brightloop") not in set(fitting) | set(held)


@pytest.fixture(scope="module")
def sample() -> tuple[list[Any], dict[tuple[str, str], str], dict[str, Any]]:
    from critic2fan.fit_troll import sample_rows

    return sample_rows()


@pytest.mark.slow
def test_fitted__matches_or_beats_hand_weights_in_cross_validation(sample: Any) -> None:
    rows, personas, _ = sample
    fitting, _ = fit_troll.split_authors(personas)
    cv = fit_troll.cross_validate(rows, personas, fitting)
    fitted = fit_troll.figures(cv["fitted"], personas, 0.7)
    hand = fit_troll.figures(cv["hand"], personas, 0.7)
    assert fitted.roc_auc >= hand.roc_auc - 0.005
    assert fit_troll.brier(cv["fitted"], personas) < fit_troll.brier(cv["hand"], personas)
    assert fitted.trolls_flagged >= hand.trolls_flagged


@pytest.mark.slow
def test_weights_file__rebuilds_identically(sample: Any, tmp_path: Path) -> None:
    from critic2fan.fit_troll import playbook_threshold

    rows, personas, provenance = sample
    data = fit_troll.build(rows, personas, threshold=playbook_threshold(), provenance=provenance)
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    assert text == WEIGHTS_PATH.read_text(encoding="utf-8")


@pytest.mark.slow
def test_model_card__held_back_figures_are_reproduced(sample: Any) -> None:
    from critic2fan.fit_troll import playbook_threshold

    rows, personas, _ = sample
    threshold = playbook_threshold()
    held = fit_troll.evaluate(rows, personas, FITTED, threshold)
    card = CARD.read_text(encoding="utf-8")
    line = re.search(r"^Held-back authors: (.*)$", card, re.MULTILINE)
    assert line is not None
    assert line.group(1) == (
        f"ROC AUC {held.roc_auc:.3f}; at `troll_likely` {threshold:g}: "
        f"{held.trolls_flagged} of {held.trolls} trolls recommended for walk-away "
        f"({held.troll_share:.0%}), {held.critics_flagged} of {held.critics} genuine critics "
        f"({held.critic_share:.0%})."
    )
    assert HAND_WEIGHTS != FITTED


@pytest.mark.slow
def test_model_card__playbook_figures_are_reproduced(sample: Any) -> None:
    from critic2fan.fit_troll import playbook_threshold

    rows, personas, _ = sample
    threshold = playbook_threshold()
    held = fit_troll.playbook_figures(rows, personas, FITTED, threshold)
    alone = fit_troll.evaluate(rows, personas, FITTED, threshold)
    card = CARD.read_text(encoding="utf-8")
    line = re.search(r"^With the playbook's pile-on rule: (.*)$", card, re.MULTILINE)
    assert line is not None
    assert line.group(1) == (
        f"{held.trolls_flagged} of {held.trolls} trolls recommended for walk-away "
        f"({held.troll_share:.0%}), {held.critics_flagged} of {held.critics} genuine critics "
        f"({held.critic_share:.0%})."
    )
    # the rule only adds pile-on accounts: never fewer trolls, never more critics
    assert held.trolls_flagged >= alone.trolls_flagged
    assert held.critics_flagged == alone.critics_flagged


def test_fitted_weights__a_profile_alone_is_not_a_troll() -> None:
    from scoring.troll import TrollFeatures, troll_likelihood

    newcomer = TrollFeatures(account_age_days=0, followers=0, following=5000)
    assert troll_likelihood(newcomer, FITTED).probability <= fit_troll.PROFILE_ALONE_AT_MOST + 1e-3
    # words make the difference: the same profile insulting on many days is a troll
    hostile = TrollFeatures(
        toxicity=0.7,
        account_age_days=0,
        followers=0,
        following=5000,
        history_posts=5,
        history_toxicity=1.5,
    )
    assert troll_likelihood(hostile, FITTED).probability >= 0.9


def test_pileon_authors__the_first_posts_of_a_pileon_count() -> None:
    from datetime import UTC, datetime, timedelta

    from scoring.troll import TrollFeatures

    start = datetime(2026, 11, 18, 20, 5, tzinfo=UTC)
    text = "@brightloop is a SCAM. BOYCOTT #brightloop NOW"
    rows = [
        fit_troll.MentionRow(
            ("x", f"a{i}"),
            TrollFeatures(pileon_posts=i + 1, pileon_accounts=i + 1),
            text,
            start + timedelta(minutes=i),
        )
        for i in range(4)
    ]
    rows.append(fit_troll.MentionRow(("x", "other"), TrollFeatures(), "Brightloop is down", start))
    late = fit_troll.MentionRow(("x", "late"), TrollFeatures(), text, start - timedelta(hours=2))
    assert fit_troll.pileon_authors([*rows, late]) == {("x", f"a{i}") for i in range(4)}
