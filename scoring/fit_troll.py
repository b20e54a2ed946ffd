"""Fitting the troll fusion's weights on the sample's labelled personas, and measuring it.

The unit is the author: a persona (troll, pile-on account, critic, fan, ...) is a property of
an account, and walking away is decided about a person. An author's troll likelihood is the
highest of their mentions' (a case recommends walking away as soon as one event crosses the
playbook's threshold).

* **Split** (fixed, by author): within each persona, authors are ordered by the SHA-1 of
  ``platform:handle`` and the first 30% (rounded) are *held back*. Held-back authors are never
  used to fit weights or to choose anything; they are only measured (:func:`evaluate`).
* **Fit** (:func:`fit_weights`): a logistic regression over the fusion's own term features
  (:func:`scoring.troll.feature_vector`), on every mention of the fitting authors labelled by
  its author's persona, each author weighing 1 in total, with an L2 penalty pulling the weights
  towards the hand-set ones (a signal the sample cannot tell apart from another keeps its
  hand weight) and weights bounded below by 0 (so the fusion stays monotonic). Its output is
  the probability. The penalty's strength is chosen by cross-validated Brier score.
* **Cross-validation** (:func:`cross_validate`): five folds of the fitting authors (the same
  hash order, stratified by persona), out-of-fold author scores for the fitted fusion and for
  the hand-set weights, ROC AUC and Brier score.

Scoring the sample needs the store (the worker's path: stored toxicity, behaviour windows), so
:func:`sample_rows` writes the records into a throw-away SQLite database. Everything after it
is pure. ``python -m critic2fan.fit_troll`` rebuilds ``scoring/heads/troll-fusion.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.pileon import MIN_PILEON_POSTS, PILEON_WINDOW, fingerprint
from core.records import MentionRecord
from scoring.troll import (
    HAND_WEIGHTS,
    TERMS,
    FusionWeights,
    TrollFeatures,
    feature_vector,
    troll_likelihood,
)

log = logging.getLogger(__name__)

#: Personas whose accounts are bad-faith: the positives.
TROLL_PERSONAS = frozenset({"troll", "pileon"})
#: Personas that complain in good faith: walking away from them is the costly mistake.
CRITIC_PERSONAS = frozenset(
    {
        "casual_critic",
        "spike_complainer",
        "repeat_critic_converts",
        "critic_no_answer",
        "critic_agrees_to_disagree",
        "cannot_be_pleased",
    }
)
#: Accounts that are not people to judge (the brand's own).
EXCLUDED_PERSONAS = frozenset({"brand"})
HELD_BACK_SHARE = 0.3
FOLDS = 5
#: Penalty strengths tried (towards the hand weights); the one with the lowest
#: cross-validated Brier score on the fitting authors is used.
L2_GRID = (0.1, 0.03, 0.01, 0.003, 0.001)
L2 = 0.001
#: Weights are rounded so the file rebuilds byte for byte despite float noise.
DECIMALS = 3
#: Terms that describe the account, not what it says or does.
PROFILE_TERMS = frozenset({"new_account", "follower_ratio"})
#: The most an account's profile alone (at full strength, nothing else) may make its likelihood.
PROFILE_ALONE_AT_MOST = 0.4

AuthorKey = tuple[str, str]


@dataclass(frozen=True)
class MentionRow:
    """One scored sample mention: its author and its troll features."""

    author: AuthorKey
    features: TrollFeatures
    text: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class AuthorFigures:
    """How a fusion separates trolls from the rest, author by author, at one threshold."""

    authors: int
    trolls: int
    critics: int
    roc_auc: float
    trolls_flagged: int
    critics_flagged: int
    threshold: float

    @property
    def troll_share(self) -> float:
        """Share of troll / pile-on authors recommended for walk-away."""
        return self.trolls_flagged / self.trolls if self.trolls else 0.0

    @property
    def critic_share(self) -> float:
        """Share of genuine critics wrongly recommended for walk-away."""
        return self.critics_flagged / self.critics if self.critics else 0.0


def read_personas(path: Path) -> dict[AuthorKey, str]:
    """The sample truth's author rows: persona by ``(platform, handle)``."""
    out: dict[AuthorKey, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("kind") == "author":
                out[(row["platform"], row["handle"])] = row["persona"]
    return out


def _order(author: AuthorKey) -> str:
    key = f"{author[0]}:{author[1]}".encode()
    return hashlib.sha1(key, usedforsecurity=False).hexdigest()


def split_authors(personas: Mapping[AuthorKey, str]) -> tuple[list[AuthorKey], list[AuthorKey]]:
    """``(fitting, held_back)``: 30% of each persona held back, by hash order (fixed)."""
    by_persona: dict[str, list[AuthorKey]] = defaultdict(list)
    for author, persona in personas.items():
        if persona not in EXCLUDED_PERSONAS:
            by_persona[persona].append(author)
    fitting: list[AuthorKey] = []
    held: list[AuthorKey] = []
    for persona in sorted(by_persona):
        ordered = sorted(by_persona[persona], key=_order)
        cut = round(HELD_BACK_SHARE * len(ordered))
        held += ordered[:cut]
        fitting += ordered[cut:]
    return sorted(fitting), sorted(held)


def folds(authors: Iterable[AuthorKey], personas: Mapping[AuthorKey, str]) -> dict[AuthorKey, int]:
    """Each fitting author's cross-validation fold, stratified by persona, in hash order."""
    by_persona: dict[str, list[AuthorKey]] = defaultdict(list)
    for a in authors:
        by_persona[personas[a]].append(a)
    out: dict[AuthorKey, int] = {}
    offset = 0
    for persona in sorted(by_persona):
        for i, a in enumerate(sorted(by_persona[persona], key=_order)):
            out[a] = (i + offset) % FOLDS
        offset += len(by_persona[persona])
    return out


def fit_weights(
    rows: Sequence[MentionRow], personas: Mapping[AuthorKey, str], *, l2: float = L2
) -> FusionWeights:
    """A logistic regression over the term features: non-negative weights, authors weigh 1."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.array([feature_vector(r.features) for r in rows], dtype=np.float64)
    y = np.array([personas[r.author] in TROLL_PERSONAS for r in rows], dtype=np.float64)
    count: dict[AuthorKey, int] = defaultdict(int)
    for r in rows:
        count[r.author] += 1
    sw = np.array([1.0 / count[r.author] for r in rows])
    sw /= sw.sum()

    def loss(theta: Any) -> tuple[float, Any]:
        z = theta[0] + x @ theta[1:]
        p = 1.0 / (1.0 + np.exp(-z))
        # log(1 + e^z) - y z, computed stably
        d = theta[1:] - prior
        nll = float(sw @ (np.logaddexp(0.0, z) - y * z)) + 0.5 * l2 * float(d @ d)
        g = sw * (p - y)
        grad = np.concatenate([[g.sum()], x.T @ g + l2 * d])
        return nll, grad

    prior = np.array([HAND_WEIGHTS.weights.get(t, 0.0) for t in TERMS])
    start = np.concatenate([[HAND_WEIGHTS.intercept], prior])
    bounds = [(None, None)] + [(0.0, None)] * len(TERMS)
    # The profile alone (a new account that follows many and is followed by few) must stay
    # under PROFILE_ALONE_AT_MOST, whatever the sample's pile-on accounts teach: real new
    # customers look like that too, and only words or behaviour make a troll.
    profile = np.array([[0.0] + [1.0 if t in PROFILE_TERMS else 0.0 for t in TERMS]])
    profile[0, 0] = 1.0
    ceiling = float(np.log(PROFILE_ALONE_AT_MOST / (1.0 - PROFILE_ALONE_AT_MOST)))
    constraint = {
        "type": "ineq",
        "fun": lambda theta: ceiling - profile @ theta,
        "jac": lambda theta: -profile,
    }
    start[0] = min(start[0], ceiling - float(profile[0, 1:] @ start[1:]))
    res = minimize(
        loss,
        start,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=[constraint],
        options={"maxiter": 5000, "ftol": 1e-12},
    )
    theta = res.x
    return FusionWeights(
        intercept=round(float(theta[0]), DECIMALS),
        weights={t: round(float(w), DECIMALS) for t, w in zip(TERMS, theta[1:], strict=True)},
    )


def author_scores(
    rows: Iterable[MentionRow], weights: FusionWeights, authors: Iterable[AuthorKey] | None = None
) -> dict[AuthorKey, float]:
    """Each author's highest troll likelihood over their mentions (restricted to ``authors``)."""
    keep = set(authors) if authors is not None else None
    out: dict[AuthorKey, float] = {}
    for r in rows:
        if keep is not None and r.author not in keep:
            continue
        p = troll_likelihood(r.features, weights).probability
        out[r.author] = max(p, out.get(r.author, 0.0))
    return out


def pileon_authors(rows: Sequence[MentionRow]) -> set[AuthorKey]:
    """Authors the playbook recommends for walk-away as part of a pile-on, whatever their own
    likelihood: everyone who posted the same words within the window before a post the
    scorer marked as a pile-on (the playbook's rule, ``playbooks.pileon``)."""
    marked = [
        r
        for r in rows
        if r.at is not None
        and r.features.pileon_posts >= MIN_PILEON_POSTS
        and r.features.pileon_accounts >= MIN_PILEON_POSTS
    ]
    prints = {id(r): fingerprint(r.text) for r in rows}
    out: set[AuthorKey] = set()
    for m in marked:
        assert m.at is not None
        for r in rows:
            near = r.at is not None and m.at - PILEON_WINDOW <= r.at <= m.at
            if near and prints[id(r)] == prints[id(m)]:
                out.add(r.author)
    return out


def playbook_figures(
    rows: Sequence[MentionRow],
    personas: Mapping[AuthorKey, str],
    weights: FusionWeights,
    threshold: float,
) -> AuthorFigures:
    """The held-back authors' figures as the playbook recommends: a likelihood at or above
    ``threshold``, or a part in a pile-on (its group is found over every author's posts)."""
    _, held = split_authors(personas)
    scores = author_scores(rows, weights, held)
    for author in pileon_authors(rows) & set(scores):
        scores[author] = max(scores[author], threshold)
    return figures(scores, personas, threshold)


def figures(
    scores: Mapping[AuthorKey, float], personas: Mapping[AuthorKey, str], threshold: float
) -> AuthorFigures:
    """ROC AUC (trolls against every other author) and walk-away counts at ``threshold``."""
    from sklearn.metrics import roc_auc_score

    authors = sorted(scores)
    y = [personas[a] in TROLL_PERSONAS for a in authors]
    critics = [a for a in authors if personas[a] in CRITIC_PERSONAS]
    trolls = [a for a, t in zip(authors, y, strict=True) if t]
    return AuthorFigures(
        authors=len(authors),
        trolls=len(trolls),
        critics=len(critics),
        roc_auc=float(roc_auc_score(y, [scores[a] for a in authors])),
        trolls_flagged=sum(scores[a] >= threshold for a in trolls),
        critics_flagged=sum(scores[a] >= threshold for a in critics),
        threshold=threshold,
    )


def brier(scores: Mapping[AuthorKey, float], personas: Mapping[AuthorKey, str]) -> float:
    """Mean squared error of the author probabilities against the persona labels."""
    return sum((p - (personas[a] in TROLL_PERSONAS)) ** 2 for a, p in scores.items()) / max(
        1, len(scores)
    )


def reliability(
    scores: Mapping[AuthorKey, float], personas: Mapping[AuthorKey, str], bins: Sequence[float]
) -> list[dict[str, float]]:
    """Mean predicted probability against the observed troll share, per probability bin."""
    out = []
    edges = [*bins, math.inf]
    for lo, hi in zip(edges, edges[1:], strict=False):
        inside = [a for a, p in scores.items() if lo <= p < hi]
        if inside:
            out.append(
                {
                    "from": lo,
                    "authors": len(inside),
                    "mean_p": round(sum(scores[a] for a in inside) / len(inside), 3),
                    "troll_share": round(
                        sum(personas[a] in TROLL_PERSONAS for a in inside) / len(inside), 3
                    ),
                }
            )
    return out


def cross_validate(
    rows: Sequence[MentionRow],
    personas: Mapping[AuthorKey, str],
    fitting: Sequence[AuthorKey],
    *,
    l2: float = L2,
) -> dict[str, dict[AuthorKey, float]]:
    """Out-of-fold author scores on the fitting authors: ``fitted`` and ``hand`` weights."""
    fold = folds(fitting, personas)
    fitted: dict[AuthorKey, float] = {}
    for k in range(FOLDS):
        train = [r for r in rows if fold.get(r.author, -1) not in (-1, k)]
        test = [a for a, f in fold.items() if f == k]
        fitted.update(author_scores(rows, fit_weights(train, personas, l2=l2), test))
    return {"fitted": fitted, "hand": author_scores(rows, HAND_WEIGHTS, fitting)}


def sample_rows(
    scorer: Any, records: Sequence[MentionRecord], personas: Mapping[AuthorKey, str]
) -> list[MentionRow]:
    """Score ``records`` the worker's way and return each labelled author's mention features."""
    from scoring.behaviour import MentionView, gather_features
    from scoring.sample_eval import scored_sample
    from store.scores import authored_toxicity

    with scored_sample(scorer, records) as engine, engine.connect() as conn:
        stored = authored_toxicity(conn)
        labelled = [s for s in stored if (s.platform, s.handle) in personas]
        labelled = [
            s for s in labelled if personas[(s.platform, s.handle)] not in EXCLUDED_PERSONAS
        ]
        views = [MentionView(s.mention_id, s.author_id, s.text, s.created_at) for s in labelled]
        feats = gather_features(
            conn,
            views,
            {s.mention_id: s.toxicity for s in stored},
            model_name=scorer.model_name,
            model_version=scorer.model_version,
        )
    log.info("%d of %d stored mentions have a labelled author", len(labelled), len(stored))
    return [
        MentionRow((s.platform, s.handle), feats[s.mention_id], s.text, s.created_at)
        for s in labelled
    ]


def choose_threshold(
    scores: Mapping[AuthorKey, float],
    personas: Mapping[AuthorKey, str],
    *,
    min_troll_share: float = 0.8,
    max_critic_share: float = 0.05,
) -> float | None:
    """The highest threshold (two decimals) meeting both targets on ``scores``, if any."""
    for t in range(99, 0, -1):
        f = figures(scores, personas, t / 100)
        if f.troll_share >= min_troll_share and f.critic_share <= max_critic_share:
            return t / 100
    return None


def build(
    rows: Sequence[MentionRow],
    personas: Mapping[AuthorKey, str],
    *,
    threshold: float,
    provenance: Mapping[str, Any],
) -> dict[str, Any]:
    """The weights file's content: weights fitted on the fitting authors, and how they were made.

    Held-back authors are neither fitted on nor measured here.
    """
    fitting, held = split_authors(personas)
    fit_set = set(fitting)
    by_l2 = {l2: cross_validate(rows, personas, fitting, l2=l2) for l2 in L2_GRID}
    briers = {l2: brier(cv["fitted"], personas) for l2, cv in by_l2.items()}
    l2 = min(L2_GRID, key=lambda k: (briers[k], k))
    cv = by_l2[l2]
    weights = fit_weights([r for r in rows if r.author in fit_set], personas, l2=l2)

    def summary(scores: Mapping[AuthorKey, float]) -> dict[str, Any]:
        f = figures(scores, personas, threshold)
        return {
            "roc_auc": round(f.roc_auc, 4),
            "brier": round(brier(scores, personas), 4),
            f"trolls_at_{threshold:g}": f"{f.trolls_flagged}/{f.trolls}",
            f"critics_at_{threshold:g}": f"{f.critics_flagged}/{f.critics}",
        }

    return {
        "intercept": weights.intercept,
        "weights": dict(weights.weights),
        "made_by": {
            **provenance,
            "method": (
                "logistic regression over scoring.troll.feature_vector, weights >= 0, "
                f"L2 {l2} towards scoring.troll.HAND_WEIGHTS, every mention of a fitting "
                "author labelled by its persona (troll, pileon = 1), each author weighing 1 "
                "in total; the profile terms alone (new account, follower ratio) at most "
                f"{PROFILE_ALONE_AT_MOST}; SLSQP from the hand weights"
            ),
            "split": (
                f"by author: within each persona, authors ordered by sha1('platform:handle'), "
                f"the first {HELD_BACK_SHARE:.0%} (rounded) held back and never used"
            ),
            "fitting_authors": len(fitting),
            "held_back_authors": len(held),
            "fitting_mentions": sum(r.author in fit_set for r in rows),
            "l2_brier": {f"{k:g}": round(v, 4) for k, v in briers.items()},
            "cross_validation": {
                "folds": FOLDS,
                "threshold_meeting_targets": choose_threshold(cv["fitted"], personas),
                "unit": "author (highest probability over their mentions), out of fold",
                "fitted": summary(cv["fitted"]),
                "hand": summary(cv["hand"]),
                "reliability_fitted": reliability(
                    cv["fitted"], personas, [0, 0.1, 0.3, 0.5, 0.7, 0.9]
                ),
            },
        },
    }


def evaluate(
    rows: Sequence[MentionRow],
    personas: Mapping[AuthorKey, str],
    weights: FusionWeights,
    threshold: float,
) -> AuthorFigures:
    """The held-back authors' figures for ``weights`` at ``threshold`` (the model card's)."""
    _, held = split_authors(personas)
    return figures(author_scores(rows, weights, held), personas, threshold)


def digest(paths: Iterable[Path]) -> str:
    """SHA-256 over the files' bytes, in order: which sample the weights were fitted on."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()
