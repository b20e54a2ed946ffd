"""Template experiments: stable random assignment, recorded once; the suggestion uses the
case's variant; loader errors name their line; leads stop an experiment."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.clock import as_utc
from core.errors import InputError, PlaybookError
from playbooks import service
from playbooks.experiments import assign, results, stats
from playbooks.loader import DEFAULT_DIR, load_playbook
from playbooks.runner import process_pending
from playbooks.schema import Playbook
from store import experiments as store
from store.engine import session_scope
from store.models import Case, CaseEvent, ExperimentAssignment, Role, User

EXPERIMENT = "ack_tone"
#: Opens a case whose topic has no acknowledge template of its own: the experiment's template.
COMPLAINT = "Brightloop is useless and nobody cares"


def _open_cases(engine: Engine, feed, pb: Playbook, t0, count: int) -> list[int]:
    for i in range(count):
        feed.say(f"critic{i}", COMPLAINT, t0 + timedelta(minutes=i), neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        return sorted(c.id for c in s.exec(select(Case)).all() if c.id is not None)


def _variants(engine: Engine) -> dict[int, str]:
    with Session(engine) as s:
        return {a.case_id: a.variant for a in s.exec(select(ExperimentAssignment)).all()}


# -- assignment ---------------------------------------------------------------------------


def test_variant_for__same_case_same_variant_and_uniform_over_many_cases() -> None:
    variants = ("warm", "brief")
    picks = [assign.variant_for(EXPERIMENT, case_id, variants) for case_id in range(10_000)]
    assert picks == [assign.variant_for(EXPERIMENT, c, variants) for c in range(10_000)]
    counts = Counter(picks)
    assert set(counts) == set(variants)
    assert all(abs(n - 5_000) < 200 for n in counts.values())  # 4 standard deviations
    three = Counter(assign.variant_for("other", c, ("a", "b", "c")) for c in range(9_000))
    assert all(abs(n - 3_000) < 180 for n in three.values())


def test_variant_for__experiments_split_independently() -> None:
    first = [assign.variant_for("one", c, ("a", "b")) for c in range(2_000)]
    second = [assign.variant_for("two", c, ("a", "b")) for c in range(2_000)]
    agree = sum(x == y for x, y in zip(first, second, strict=True))
    assert 900 < agree < 1_100


def test_engine_suggestion__records_the_variant_once_with_a_trail_event(
    engine: Engine, feed, pb: Playbook, t0
) -> None:
    case_ids = _open_cases(engine, feed, pb, t0, 6)

    given = _variants(engine)
    assert sorted(given) == case_ids
    assert all(v == assign.variant_for(EXPERIMENT, c, ("warm", "brief")) for c, v in given.items())
    process_pending(engine, pb)  # nothing new: nothing changes
    with Session(engine) as s:
        events = s.exec(select(CaseEvent).where(CaseEvent.kind == "experiment")).all()
    assert sorted(e.case_id for e in events) == case_ids
    assert {e.data["variant"] for e in events} <= {"warm", "brief"}


def test_engine_suggestion__a_topic_with_its_own_template_is_not_in_the_experiment(
    engine: Engine, feed, pb: Playbook, t0
) -> None:
    feed.say("eve", "Brightloop charged me twice on my bill, scam", t0, neg=0.9)
    process_pending(engine, pb)
    assert _variants(engine) == {}


def test_suggested_reply__renders_the_cases_variant(engine: Engine, feed, pb: Playbook, t0) -> None:
    case_ids = _open_cases(engine, feed, pb, t0, 8)
    given = _variants(engine)
    assert set(given.values()) == {"warm", "brief"}  # both occur among 8 cases
    for case_id in case_ids:
        text = service.suggested_reply(engine, case_id, pb)
        if given[case_id] == "brief":
            assert "on it now" in text and "thanks for flagging" not in text
        else:
            assert "thanks for flagging" in text and "on it now" not in text


def test_suggested_reply__records_a_case_the_engine_did_not(
    engine: Engine, feed, pb: Playbook, t0
) -> None:
    plain = pb.model_copy(update={"experiments": {}})
    (case_id,) = _open_cases(engine, feed, plain, t0, 1)
    assert _variants(engine) == {}

    board_now = t0 + timedelta(days=3)
    service.suggested_reply(engine, case_id, pb, now=board_now)

    assert _variants(engine) == {
        case_id: assign.variant_for(EXPERIMENT, case_id, ["warm", "brief"])
    }
    with Session(engine) as s:
        (row,) = s.exec(select(ExperimentAssignment)).all()
    assert as_utc(row.assigned_at) == board_now  # stamped by the board's clock


# -- stopping -------------------------------------------------------------------------------


def _staff(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(User(username="lena", display_name="Lena", role=Role.LEAD.value, password_hash="x"))
        s.add(User(username="ali", display_name="Ali", role=Role.AGENT.value, password_hash="x"))


def test_stop__only_a_lead_with_a_reason_and_only_once(engine: Engine, pb: Playbook, t0) -> None:
    _staff(engine)
    with pytest.raises(InputError, match="not a lead"):
        results.stop_experiment(engine, EXPERIMENT, "ali", "enough", t0, playbook=pb)
    with pytest.raises(InputError, match="say why"):
        results.stop_experiment(engine, EXPERIMENT, "lena", "  ", t0, playbook=pb)
    with pytest.raises(InputError, match="no experiment"):
        results.stop_experiment(engine, "nope", "lena", "enough", t0, playbook=pb)

    stop = results.stop_experiment(engine, EXPERIMENT, "lena", "brief wins", t0, playbook=pb)

    assert (stop.stopped_by, stop.reason, stop.stopped_at) == ("user:lena", "brief wins", t0)
    with pytest.raises(InputError, match="already stopped"):
        results.stop_experiment(engine, EXPERIMENT, "lena", "again", t0, playbook=pb)


def test_stop__cases_keep_their_variant_and_new_cases_get_the_playbooks_template(
    engine: Engine, feed, pb: Playbook, t0
) -> None:
    _staff(engine)
    before = _open_cases(engine, feed, pb, t0, 6)
    given = _variants(engine)
    results.stop_experiment(engine, EXPERIMENT, "lena", "enough", t0, playbook=pb)

    for i in range(6, 12):
        feed.say(f"critic{i}", COMPLAINT, t0 + timedelta(hours=1, minutes=i), neg=0.9)
    process_pending(engine, pb)

    assert _variants(engine) == given  # nobody new was assigned
    with Session(engine) as s:
        after = [c.id for c in s.exec(select(Case)).all() if c.id not in before]
    assert len(after) == 6
    for case_id in after:
        assert "thanks for flagging" in service.suggested_reply(engine, case_id or 0, pb)
    brief = [c for c, v in given.items() if v == "brief"]
    assert brief and "on it now" in service.suggested_reply(engine, brief[0], pb)


# -- counting outcomes -----------------------------------------------------------------------


def test_results__count_closed_cases_and_fans_per_variant(
    engine: Engine, feed, pb: Playbook, t0
) -> None:
    case_ids = _open_cases(engine, feed, pb, t0, 10)
    given = _variants(engine)
    with session_scope(engine) as s:
        for n, case_id in enumerate(case_ids):
            row = s.get(Case, case_id)
            assert row is not None
            if n % 3 == 0:
                row.is_open, row.stage, row.outcome = False, "fan", "fan"
            elif n % 3 == 1:
                row.is_open, row.stage, row.outcome = False, "walk_away", "walk_away"
            s.add(row)
    expected: dict[str, list[int]] = {}
    for n, case_id in enumerate(case_ids):
        counts = expected.setdefault(given[case_id], [0, 0, 0])
        counts[0] += 1
        counts[1] += n % 3 != 2
        counts[2] += n % 3 == 0

    with engine.connect() as conn:
        found = {
            c.variant: [c.assigned, c.closed, c.fans]
            for c in store.variant_counts(conn, EXPERIMENT)
        }
    assert found == expected

    (result,) = results.experiment_results(engine, pb)
    assert result.control == "warm" and set(result.comparisons) == {"brief"}
    assert result.verdict.state == stats.KEEP_RUNNING  # far below min_sample
    rows = {r.name: r for r in result.variants}
    assert rows["warm"].closed == expected.get("warm", [0, 0, 0])[1]


# -- the playbook file ------------------------------------------------------------------------


@pytest.fixture
def playbook_file(tmp_path: Path) -> Path:
    shutil.copy(DEFAULT_DIR / "facts.yaml", tmp_path / "facts.yaml")
    target = tmp_path / "playbook.yaml"
    shutil.copy(DEFAULT_DIR / "playbook.yaml", target)
    return target


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("    stage: acknowledge", "    stage: greet", "greet"),
        ("    topic: default ", "    topic: outages ", "outages"),
        ("    metric: fan ", "    metric: likes ", "likes"),
        ("    alpha: 0.05 ", "    alpha: 0.5 ", "alpha"),
        ("      brief: >-", "      Brief: >-", "Brief"),
    ],
)
def test_loader__a_bad_experiment_names_its_line(
    playbook_file: Path, old: str, new: str, said: str
) -> None:
    line = _edit(playbook_file, old, new)
    with pytest.raises(PlaybookError) as info:
        load_playbook(playbook_file)
    assert info.value.line == line and said in str(info.value), info.value


def test_loader__a_broken_variant_template_names_its_line(playbook_file: Path) -> None:
    line = _edit(playbook_file, "Hi {{ name }}, on it now.", "Hi {{ name }, on it now.")
    with pytest.raises(PlaybookError) as info:
        load_playbook(playbook_file)
    assert info.value.line == line and "experiments.ack_tone.variants.brief" in str(info.value)


def test_loader__a_variant_is_sandboxed_like_any_template(playbook_file: Path) -> None:
    _edit(playbook_file, "Hi {{ name }}, on it now.", "{{ name.__class__.__mro__ }}")
    with pytest.raises(PlaybookError, match="not allowed|undefined"):
        load_playbook(playbook_file)


def test_loader__one_template_tried_by_two_experiments_is_refused(playbook_file: Path) -> None:
    text = playbook_file.read_text(encoding="utf-8")
    block = text[text.index("  ack_tone:") : text.index("\ntemplates:")]
    text = text.replace(block, block + block.replace("ack_tone", "ack_again"), 1)
    playbook_file.write_text(text, encoding="utf-8")
    line = text[: text.index("  ack_again:")].count("\n") + 1
    with pytest.raises(PlaybookError, match="already tried") as info:
        load_playbook(playbook_file)
    assert info.value.line == line and "ack_again" in str(info.value)
