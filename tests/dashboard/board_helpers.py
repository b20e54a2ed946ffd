"""Builds a small, migrated board database with hostile texts; runs pages in AppTest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from dashboard.auth import StaffUser, add_user
from playbooks.state import CaseState, state_to_json
from store.engine import make_engine, session_scope
from store.migrate import upgrade
from store.models import Author, Case, CaseEvent, Incident, Mention, Score

SPIKE_REASON = "mentions 5x the usual rate <script>alert(1)</script>"

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "critic2fan" / "board" / "app.py")
#: The page scripts, named by absolute path (the app's main script lives in the shell).
VIEWS = REPO / "dashboard" / "views"
PASSWORD = "correct horse battery"

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**bold** [x](javascript:alert(1))",
)


@dataclass
class BoardData:
    """What the fixture database holds, for assertions."""

    engine: Engine
    url: str
    case_ids: list[int] = field(default_factory=list)
    hostile_case_id: int = 0
    closed_case_id: int = 0


def build_board_db(path: Path, *, n_cases: int = 8) -> BoardData:
    """Authors, mentions (some hostile), scores, open and closed cases, events and users."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    data = BoardData(engine=engine, url=url)
    sources = ("x", "reddit", "bluesky", "mastodon")
    topics = ("billing", "outage", "support")
    with session_scope(engine) as s:
        for i in range(n_cases + 1):
            hostile = i == 0
            author = Author(
                platform=sources[i % 4],
                platform_id=f"p{i}",
                handle=HOSTILE[1] if hostile else f"critic{i}",
                display_name=HOSTILE[2] if hostile else f"Critic {i}",
                followers=[50, 500, 5_000, 50_000, 500_000][i % 5],
            )
            s.add(author)
            s.flush()
            mentions = []
            for j in range(2):
                text = HOSTILE[j] if hostile else f"critic{i} complaint {j}: the app broke again"
                m = Mention(
                    source=author.platform,
                    external_id=f"m{i}-{j}",
                    author_id=author.id,  # type: ignore[arg-type]
                    text=text,
                    created_at=now - timedelta(hours=5 - j, minutes=i),
                )
                s.add(m)
                s.flush()
                mentions.append(m)
                troll = 0.9 if hostile else 0.1 * (i % 5)
                s.add(
                    Score(
                        mention_id=m.id,  # type: ignore[arg-type]
                        model_name="test",
                        model_version="1",
                        sentiment_label="negative",
                        p_negative=0.8,
                        p_neutral=0.15,
                        p_positive=0.05,
                        sentiment=-0.75,
                        toxicity=troll,
                        troll_likelihood=troll,
                        troll_reasons=["insulting words", HOSTILE[0]] if hostile else [],
                    )
                )
            closed = i == n_cases
            stage = "walk_away" if closed else ("acknowledge", "empathize", "goodwill")[i % 3]
            state = CaseState(
                author_id=author.id,  # type: ignore[arg-type]
                topic=topics[i % 3],
                stage=stage,
                opened_at=now - timedelta(hours=5),
                stage_since=now - timedelta(hours=4),
                updated_at=now - timedelta(hours=4),
                is_open=not closed,
                sla_due=now + timedelta(minutes=30 * (i - 2)),
                timer_due=now + timedelta(minutes=30 * (i - 2)),
                timer_kind="sla",
                priority=float(i % 7) + (10.0 if hostile else 0.0),
                negativity=0.8,
                sentiment=-0.75,
                troll=troll,
                followers=author.followers or 0,
                mentions=2,
                outcome="walked_away" if closed else None,
                walkaway_reason="troll" if closed else None,
                closed_at=now - timedelta(hours=1) if closed else None,
                latest_mention_id=mentions[-1].id,
            )
            case = Case(
                author_id=author.id,  # type: ignore[arg-type]
                topic=state.topic,
                source=author.platform,
                stage=stage,
                is_open=not closed,
                priority=state.priority,
                sla_due=state.sla_due,
                timer_due=state.timer_due,
                opened_at=state.opened_at,
                latest_mention_id=state.latest_mention_id,
                outcome=state.outcome,
                walkaway_reason=state.walkaway_reason,
                closed_at=state.closed_at,
                state=state_to_json(state),
            )
            s.add(case)
            s.flush()
            s.add(
                CaseEvent(
                    case_id=case.id,
                    kind="opened",
                    actor="engine",
                    stage_to="acknowledge",
                    at=now - timedelta(hours=5),
                    mention_id=mentions[0].id,
                )
            )
            if i % 2:
                s.add(
                    CaseEvent(
                        case_id=case.id,
                        kind="reply",
                        actor="user:alice",
                        body="Sorry to hear that!",
                        at=now - timedelta(hours=4),
                    )
                )
            if hostile:
                s.add(
                    CaseEvent(
                        case_id=case.id,
                        kind="note",
                        actor="user:alice",
                        body=HOSTILE[0],
                        at=now - timedelta(hours=3),
                    )
                )
                data.hostile_case_id = case.id  # type: ignore[assignment]
            if closed:
                data.closed_case_id = case.id  # type: ignore[assignment]
            else:
                data.case_ids.append(case.id)  # type: ignore[arg-type]
    for name, role in (
        ("alice", "agent"),
        ("bob", "agent"),
        ("lena", "lead"),
        ("ana", "analyst"),
        ("root", "admin"),
    ):
        add_user(engine, username=name, password=PASSWORD, role=role, display_name=name.title())
    return data


def start_spike(data: BoardData) -> None:
    """Open a spike incident, as the spike detector would."""
    with session_scope(data.engine) as s:
        s.add(Incident(kind="spike", started_by="engine", reason=SPIKE_REASON))


def signed_in(role: str = "agent", username: str | None = None) -> StaffUser:
    """A staff member as the session keeps them after sign-in."""
    name = username or {"agent": "alice", "lead": "lena", "analyst": "ana", "admin": "root"}[role]
    return StaffUser(username=name, display_name=name.title(), role=role)


TIMEOUT = 60


def open_page(
    page: str,
    *,
    role: str | None = "agent",
    username: str | None = None,
    query: dict[str, str] | None = None,
) -> AppTest:
    """Run the app signed in as ``role`` (None: signed out), switch to ``page`` and run it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if role is not None:
        at.session_state["board_user"] = signed_in(role, username)
    at.run()
    if page != "queue":
        at.switch_page(str(VIEWS / f"{page}.py"))
    if query:
        at.query_params.update(query)
    if page != "queue" or query:
        at.run()
    return at


def markdown_strings(at: AppTest) -> list[str]:
    """Every string the page rendered through markdown (where user text must never go)."""
    out: list[str] = []
    for group in (
        at.markdown,
        at.caption,
        at.title,
        at.header,
        at.subheader,
        at.error,
        at.warning,
        at.info,
        at.success,
    ):
        out.extend(str(e.value) for e in group)
    for m in at.metric:
        out.extend([str(m.label), str(m.value)])
    return out


def allows_html(at: AppTest) -> bool:
    """True if any markdown element was rendered with HTML allowed."""
    return any(getattr(e.proto, "allow_html", False) for e in at.markdown)


def texts(at: AppTest) -> list[str]:
    """The plain-text elements (``st.text``) the page rendered."""
    return [str(t.value) for t in at.text]


def frame(at: AppTest, index: int = 0) -> Any:
    """The ``index``-th dataframe as pandas."""
    return at.dataframe[index].value
