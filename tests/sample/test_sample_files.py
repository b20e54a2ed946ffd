"""The sample data files: they validate, drive the generator, and name the place of a mistake."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sample import MENTIONS_PATH, generate
from sample.data import DATA_DIR, FILES, SampleDataError, load


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the data files to break."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_files__one_yaml_file_per_shape_and_nothing_else() -> None:
    assert sorted(p.name for p in DATA_DIR.iterdir()) == sorted(f"{name}.yaml" for name in FILES)


def test_files__validate_and_hold_every_part_of_the_sample() -> None:
    data = load()

    assert len(data.claims.claims) == 10
    assert len(data.everyday.praise) >= 60 and len(data.everyday.foreign) >= 30
    assert list(data.conversations.root) == [
        "repeat_critic_converts",
        "critic_agrees_to_disagree",
        "critic_no_answer",
        "cannot_be_pleased",
    ]
    assert len(data.conversations.root["repeat_critic_converts"]) == 9
    assert len(data.trolls.trolls) == 6 and len(data.trolls.pileon) == 18
    assert len(data.spike.status_thread) == 5
    assert len(data.threads.long_reads) == 4


def test_files__invisible_characters_survive_as_escapes() -> None:
    raw = (DATA_DIR / "trolls.yaml").read_text(encoding="utf-8")
    assert "\u200b" not in raw and "Bright\\u200Bloop" in raw
    posts = {p if isinstance(p, str) else p.text for t in load().trolls.trolls for p in t.posts}
    assert "Bright\u200bloop is garbage and everyone who works there should be embarrassed" in posts


def test_generator__an_edited_text_reaches_the_mentions_file(data_dir: Path) -> None:
    _edit(
        data_dir / "everyday.yaml",
        "My neighbour kept telling me to try Brightloop. Fine. You were right, Gerald.",
        "My neighbour kept telling me to try Brightloop. Fine. You were right, Geraldine.",
    )

    mentions, _ = generate.render(data=load(data_dir))

    texts = [json.loads(line)["text"] for line in mentions.splitlines()]
    assert any(text.endswith("You were right, Geraldine.") for text in texts)
    assert not any(text.endswith("You were right, Gerald.") for text in texts)
    assert len(texts) == len(MENTIONS_PATH.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "conversations.yaml",
            "    handle: danielle_okafor\n",
            "    handle: danielle_okafor\n    nickname: Dani\n",
            "conversations.yaml: repeat_critic_converts[0].nickname ('danielle_okafor'): "
            "Extra inputs are not permitted",
        ),
        (
            "spike.yaml",
            "  - at: day 10 15:40\n",
            "  - at: 10 15:40\n",
            "spike.yaml: status_thread[0].at",
        ),
        (
            "trolls.yaml",
            "  - platform: x\n    handle: loopsux_2026",
            "  - platform: twitter\n    handle: loopsux_2026",
            "trolls.yaml: trolls[0].platform ('loopsux_2026'): Input should be",
        ),
        (
            "everyday.yaml",
            "  - claim: cancel_fee\n",
            "  - claim: cancel_fees\n",
            "everyday.yaml: unknown claim 'cancel_fees'",
        ),
        (
            "threads.yaml",
            "    at: day 4 18:40:12\n",
            "    at: day 4 18:40:12\n    after: [1, 2]\n",
            "threads.yaml: long_reads[0] ('Six months on Brightloop Home Gig: an ho…'): "
            "Value error, a post has exactly one of at or after",
        ),
        (
            "people.yaml",
            "first_names: [",
            "first_names: [[",
            "people.yaml: line ",
        ),
    ],
    ids=["unknown-key", "bad-time", "bad-platform", "unknown-claim", "two-times", "not-yaml"],
)
def test_load__a_mistake_names_the_file_and_the_entry(
    data_dir: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(data_dir / file, old, new)

    with pytest.raises(SampleDataError) as caught:
        load(data_dir)

    assert str(caught.value).startswith(expected), str(caught.value)
    assert caught.value.path == data_dir / file


def test_load__a_missing_file_is_named(data_dir: Path) -> None:
    (data_dir / "claims.yaml").unlink()

    with pytest.raises(SampleDataError, match=r"^claims\.yaml: cannot read"):
        load(data_dir)
