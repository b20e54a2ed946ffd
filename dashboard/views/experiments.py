"""Template experiments on the board: per experiment its variants with cases, fans and rate,
each challenger's uplift over the control with its always-valid interval and p-value, the
verdict (winner clear, keep running, stopped) and a plain-language caveat. Leads see a Stop
button, which asks why; the stop is recorded with who and why
(``playbooks.experiments.results``). Templates and reasons are shown with ``st.text`` or
``st.code``, never as markdown.
"""

from __future__ import annotations

import streamlit as st

from dashboard.auth import Permission
from dashboard.views.common import (
    Board,
    banners,
    board,
    escape_md,
    plain,
    playbook,
    require,
    run_action,
)
from playbooks.experiments import results, stats
from playbooks.experiments.results import ExperimentResult

FLASH = "experiments_flash"
VERDICTS = {
    stats.WINNER: "Winner clear",
    stats.KEEP_RUNNING: "Keep running",
    stats.STOPPED: "Stopped",
    results.RETIRED: "No longer in the playbook",
}


def _points(value: float) -> str:
    return f"{value * 100:+.1f} pts"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def verdict_line(result: ExperimentResult) -> str:
    """The verdict in words, naming the winner when one is clear."""
    text = VERDICTS.get(result.verdict.state, result.verdict.state)
    if result.verdict.winner:
        text += f": {result.verdict.winner}"
    elif result.verdict.state == stats.KEEP_RUNNING and result.min_sample:
        text += f" (no verdict before {result.min_sample} closed cases per variant)"
    return text


def experiment_card(b: Board, result: ExperimentResult) -> None:
    """One experiment: its table, comparisons, verdict, caveat, and the lead's Stop."""
    st.subheader(escape_md(result.name))
    if result.stage:
        plain(
            f"Tries templates.{result.stage}.{result.topic}; control: {result.control}; "
            f"success: the case becomes a fan; alpha {result.alpha:g}"
        )
    st.dataframe(
        [
            {
                "variant": row.name,
                "cases": row.assigned,
                "closed": row.closed,
                "fans": row.fans,
                "fan rate": _rate(row.rate),
            }
            for row in result.variants
        ],
        hide_index=True,
    )
    for name, c in result.comparisons.items():
        plain(
            f"{name} vs {result.control}: uplift {_points(c.estimate)} "
            f"(observed {_points(c.uplift)}), always-valid {1 - c.alpha:.1%} interval "
            f"{_points(c.lower)} to {_points(c.upper)}, p = {c.p_value:.3g}"
        )
    st.metric("Verdict", verdict_line(result))
    if result.stop is not None:
        plain(
            f"Stopped by {result.stop.stopped_by.removeprefix('user:')} "
            f"{result.stop.stopped_at:%Y-%m-%d %H:%M} UTC: {result.stop.reason}"
        )
    st.caption(escape_md(result.caveat))
    with st.expander("The variants' templates"):
        for row in result.variants:
            if row.template:
                plain(row.name)
                st.code(row.template, language=None, wrap_lines=True)
    if result.stop is None and b.user.role in results.STOPPER_ROLES:
        _stop_form(b, result.name)


def _stop_form(b: Board, name: str) -> None:
    reason = st.text_input("Why stop it", key=f"experiment_reason_{name}")
    if st.button("Stop", key=f"experiment_stop_{name}"):
        run_action(
            lambda: _stop(b, name, reason),
            flash_key=FLASH,
        )


def _stop(b: Board, name: str, reason: str) -> str:
    results.stop_experiment(
        b.engine, name, b.user.username, reason, b.now(), playbook=playbook(), role=b.user.role
    )
    return f"Experiment {name} stopped: new cases get the playbook's own template."


def render() -> None:
    """The Experiments page."""
    b = board()
    banners(b)
    require(b, Permission.READ)
    st.title("Experiments")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(escape_md(flash))
    found = results.experiment_results(b.engine, playbook())
    if not found:
        st.caption("The playbook tries no template experiments (see docs/learning.md).")
        return
    for result in found:
        with st.container(border=True):
            experiment_card(b, result)


if __name__ == "__main__":
    render()
