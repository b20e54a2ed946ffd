"""The detector on labelled short posts: how often it is right, wrong, or leaves them unknown.

``tests/fixtures/language/short_posts.jsonl`` holds short posts written for this test, in
English and other languages, with the hard cases of real traffic: tweets that start with
handles, comments that are only links and subreddit names, emoji, mixed languages. Each is
labelled with its language, or ``unknown`` when it has none. Posts marked ``tune`` were used
to set the rules; ``holdout`` posts were written afterwards and only measured. The figures
are in docs/scoring.md; the thresholds sit just under them, so a change that makes the
detector guess wrong more often, or give up more often, fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from listener.language import guess_language, text_for_language

POSTS = Path(__file__).parents[1] / "fixtures" / "language" / "short_posts.jsonl"
#: Measured: 215 of 241 posts with a language right (89%), none wrong, 26 left unknown.
MIN_ACCURACY = 0.87
MAX_WRONG_SHARE = 0.01
MAX_UNKNOWN_SHARE = 0.13


@dataclass(frozen=True)
class Post:
    text: str
    lang: str
    kind: str
    split: str


@dataclass(frozen=True)
class Figures:
    posts: int
    labelled: int
    right: int
    unknown: int
    wrong: list[tuple[Post, str]]

    @property
    def accuracy(self) -> float:
        return self.right / self.labelled

    @property
    def wrong_share(self) -> float:
        return len(self.wrong) / self.posts

    @property
    def unknown_share(self) -> float:
        return self.unknown / self.labelled


def _posts() -> list[Post]:
    with POSTS.open(encoding="utf-8") as fh:
        return [Post(**json.loads(line)) for line in fh if line.strip()]


def measure(posts: list[Post]) -> Figures:
    """Right, wrong (any guess that is not the label) and unknown, as the docs report them."""
    right = unknown = labelled = 0
    wrong: list[tuple[Post, str]] = []
    for post in posts:
        guess = guess_language(post.text)
        code = guess.code if guess is not None else None
        if post.lang != "unknown":
            labelled += 1
            right += code == post.lang
            unknown += code is None
        if code is not None and code != post.lang:
            wrong.append((post, code))
    return Figures(len(posts), labelled, right, unknown, wrong)


@pytest.fixture(scope="module")
def figures() -> Figures:
    return measure(_posts())


def test_fixture__is_a_real_labelled_set() -> None:
    posts = _posts()
    langs = {p.lang for p in posts}
    assert 250 <= len(posts) <= 350
    assert {"en", "es", "pt", "fr", "de", "ja", "unknown"} <= langs and len(langs) >= 15
    assert {p.kind for p in posts} == {"reddit", "tweet", "emoji", "mixed", "none"}
    assert {p.split for p in posts} == {"tune", "holdout"}
    assert len({p.text for p in posts}) == len(posts)


def test_short_posts__right_often_and_almost_never_wrong(figures: Figures) -> None:
    wrong = [(p.text, p.lang, code) for p, code in figures.wrong]
    assert figures.wrong_share <= MAX_WRONG_SHARE, wrong
    assert figures.accuracy >= MIN_ACCURACY
    assert figures.unknown_share <= MAX_UNKNOWN_SHARE


def test_short_posts__posts_written_after_the_rules_do_as_well() -> None:
    holdout = measure([p for p in _posts() if p.split == "holdout"])
    assert holdout.labelled >= 40
    assert not holdout.wrong
    assert holdout.accuracy >= MIN_ACCURACY


def test_short_posts__nothing_without_a_language_gets_one(figures: Figures) -> None:
    assert not [p.text for p, _ in figures.wrong if p.lang == "unknown"]


@pytest.mark.parametrize(
    "text",
    [
        "r/madlads r/madlads r/madlads r/madlads r/madlads",  # once read as Swedish
        "[1](https://www.reddit.com/r/madlads/comments/xyz/) [2](https://imgur.com/a/Qw) r/madlads",
        "www.reddit.com/r/madlads/comments/1ab2cd/absolute_madlad_bought_the_whole_store",
        "[madlads](https://redd.it/1ab2cd) [madlads2](https://redd.it/1ab2ce) r/madlads",
        "@brightloop @BrightLoopHelp @delta @united @amy_k",
    ],
)
def test_links_names_and_handles_alone__have_no_language(text: str) -> None:
    assert guess_language(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "@brightloop my order still hasn't shipped",
        "@brightloop @BrightLoopHelp thanks for nothing",
        "@brightloop@mastodon.social your app keeps logging me out",
        "@brightloop still waiting for my refund https://t.co/AbC123xyz",
        "Check the [FAQ](https://www.reddit.com/r/brightloop/wiki/faq) before posting",
        "Thanks u/throwaway_1234 for the tip, worked for me",
    ],
)
def test_english_around_handles_and_links__is_english(text: str) -> None:
    guess = guess_language(text)
    assert guess is not None and guess.code == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Se me rompió a los dos días",  # "me" and "a" are Spanish words too
        "@brightloop me cobraron dos veces este mes y nadie me contesta",
    ],
)
def test_words_english_shares_with_spanish__do_not_make_it_english(text: str) -> None:
    guess = guess_language(text)
    assert guess is None or guess.code == "es"


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("See [the fix](https://example.com/a_(b)) here", "See the fix here"),
        ("@amy @bob@fosstodon.org hi u/spez and /r/madlads", "hi and"),
        ("love it ❤️👍🏽 #brightloop", "love it"),
        ("www.example.com/x and example.org/y/z done", "and done"),
        ("no <https://x.example/a> more", "no more"),
        ("mail me at bob@example.com", "mail me at bob@example.com"),
    ],
)
def test_text_for_language__keeps_only_the_written_words(text: str, clean: str) -> None:
    assert text_for_language(text) == clean


def test_guess_language__a_clear_leader_of_a_short_sentence_is_kept() -> None:
    # lingua spreads a short French sentence over French (0.47), English and Dutch: the leader
    # is clear, so it is kept with its share of the two best.
    guess = guess_language("Brightloop a augmenté ses prix de 40 %, c'est du vol.")
    assert guess is not None and guess.code == "fr" and 0.6 <= guess.confidence < 0.9
    # Two languages mixed: no clear leader, no guess.
    assert guess_language("Die Preise sind hoch, el servicio es malo") is None
