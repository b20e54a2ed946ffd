"""Suggested replies: the playbook's templates rendered in a sandbox.

Templates are Jinja2 run in a ``SandboxedEnvironment`` (no attribute tricks, no code execution)
with ``StrictUndefined`` so a misspelt variable is an error when the playbook is validated,
not a blank in a reply. Autoescape is off: replies are plain text, never HTML. Staff edit the
rendered text before it is sent.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from core import names
from playbooks.schema import Playbook

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)  # noqa: S701 (plain text)

#: Values used to check every template renders when a playbook is loaded.
SAMPLE_CONTEXT: dict[str, object] = {
    "name": "Alex",
    "brand": "Brand",
    "topic": "billing",
    "fact": "A fact.",
    "private": False,
}

MAX_NAME_CHARS = 80


@lru_cache(maxsize=512)
def compile_template(source: str) -> Template:
    """Compile once; raises ``jinja2.TemplateSyntaxError`` on a broken template."""
    return _ENV.from_string(source)


def pick_template(playbook: Playbook, stage: str, topic: str) -> str | None:
    """The template for ``stage`` and ``topic``, falling back to the stage's default."""
    by_topic = playbook.templates.get(stage)
    if by_topic is None:
        return None
    return by_topic.get(topic) or by_topic.get("default")


def fact_text(playbook: Playbook, fact_ids: tuple[str, ...] | list[str]) -> str:
    """The facts' statements, joined into one sentence-ready string."""
    wanted = set(fact_ids)
    return " ".join(f.fact for f in playbook.facts.facts if f.id in wanted)


def render_reply(
    playbook: Playbook,
    stage: str,
    topic: str,
    *,
    name: str,
    fact_ids: tuple[str, ...] | list[str] = (),
    private: bool = False,
) -> str:
    """The suggested reply text for a case (empty when the stage has no template)."""
    source = pick_template(playbook, stage, topic)
    if source is None:
        return ""
    clean_name = names.clean_name(name)[:MAX_NAME_CHARS] or "there"
    context = {
        "name": clean_name,
        "brand": playbook.brand.name,
        "topic": topic.replace("_", " "),
        "fact": fact_text(playbook, fact_ids),
        "private": private,
    }
    return compile_template(source).render(**context).strip()
