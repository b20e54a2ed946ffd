"""Sharing unassigned cases fairly among staff: a pure plan the queue page then carries out."""

from __future__ import annotations

from collections.abc import Sequence


def plan_assignments(
    case_ids: Sequence[int],
    load: dict[str, int],
    *,
    strategy: str,
    last_assignee: str | None = None,
) -> list[tuple[int, str]]:
    """Fairly share ``case_ids`` (highest priority first) among the staff in ``load``.

    ``least_loaded`` gives each case to whoever holds the fewest open cases (ties by name);
    ``round_robin`` deals them in name order, starting after ``last_assignee``.
    """
    staff = sorted(load)
    if not staff:
        return []
    plan: list[tuple[int, str]] = []
    if strategy == "round_robin":
        start = staff.index(last_assignee) + 1 if last_assignee in staff else 0
        for i, case_id in enumerate(case_ids):
            plan.append((case_id, staff[(start + i) % len(staff)]))
        return plan
    if strategy != "least_loaded":
        raise ValueError(f"unknown assignment strategy {strategy!r}")
    current = dict(load)
    for case_id in case_ids:
        who = min(staff, key=lambda u: (current[u], u))
        current[who] += 1
        plan.append((case_id, who))
    return plan
