"""Playbooks: the pure engine that moves a critic's case towards a fan, and its configuration.

Pure parts (no database, no clock) are importable from here; the database edge lives in
:mod:`playbooks.runner` and :mod:`playbooks.service`.
"""

from playbooks.engine import advance
from playbooks.loader import DEFAULT_PLAYBOOK, load_active_playbook, load_facts, load_playbook
from playbooks.schema import Playbook
from playbooks.state import CaseState

__all__ = [
    "DEFAULT_PLAYBOOK",
    "CaseState",
    "Playbook",
    "advance",
    "load_active_playbook",
    "load_facts",
    "load_playbook",
]
