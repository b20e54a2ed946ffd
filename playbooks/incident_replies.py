"""What a critic affected by an incident is told: the holding reply while it lasts, and the
"it's fixed" follow-up once its fix is recorded. Pure: text in, text out.

The holding reply is the incident's own (a lead writes it, with ``{{ name }}`` and the other
template variables), else the playbook's ``holding`` template, else :data:`FALLBACK_HOLDING`:
it is never blank. The follow-up is the playbook's ``fixed`` template (else
:data:`FALLBACK_FIXED`) with the root cause and the fix. Names are cleaned the way every
suggested reply's are (``core.names``).
"""

from __future__ import annotations

from jinja2 import TemplateError

from core import names
from core.errors import InputError
from playbooks.schema import Playbook
from playbooks.templates import (
    MAX_NAME_CHARS,
    SAMPLE_CONTEXT,
    TemplateLimitError,
    render_reply,
    render_template,
)

HOLDING = "holding"
FIXED = "fixed"

#: Said when neither the incident nor the playbook has a holding reply.
FALLBACK_HOLDING = (
    "Hi {{ name }}, we're sorry. We know about this problem, our team is working on it right "
    "now, and we'll update you here as soon as we know more."
)
#: Said when the playbook has no ``fixed`` template.
FALLBACK_FIXED = (
    "Hi {{ name }}, it's fixed. What was wrong: {{ cause }} What we changed: {{ fix }} "
    "Thank you for your patience. If anything still isn't right, reply here."
)


def check_holding(text: str) -> str:
    """The holding reply a lead typed, stripped, or ``InputError`` when it is blank or is not a
    template that renders (a stray ``{{``, an unknown variable)."""
    text = text.replace("\x00", "").strip()
    if not text:
        raise InputError("the holding reply is empty: affected critics are never left blank")
    try:
        rendered = render_template(text, SAMPLE_CONTEXT).strip()
    except (TemplateError, TemplateLimitError, ArithmeticError, LookupError, TypeError) as exc:
        known = ", ".join(SAMPLE_CONTEXT)
        raise InputError(f"the holding reply does not render: {exc} (variables: {known})") from None
    if not rendered:
        raise InputError("the holding reply renders as nothing")
    return text


def holding_reply(playbook: Playbook, own: str | None, *, topic: str, name: str) -> str:
    """The holding reply for one critic: the incident's own, else the playbook's, else ours."""
    if own and own.strip():
        text = _render(playbook, own, topic=topic, name=name)
        if text:
            return text
    text = render_reply(playbook, HOLDING, topic, name=name)
    return text or _render(playbook, FALLBACK_HOLDING, topic=topic, name=name)


def fixed_reply(playbook: Playbook, *, topic: str, name: str, cause: str, fix: str) -> str:
    """The "it's fixed" follow-up for one critic: what was wrong, what changed."""
    cause, fix = _sentence(cause), _sentence(fix)
    text = render_reply(playbook, FIXED, topic, name=name, cause=cause, fix=fix)
    return text or _render(playbook, FALLBACK_FIXED, topic=topic, name=name, cause=cause, fix=fix)


def _render(
    playbook: Playbook, source: str, *, topic: str, name: str, cause: str = "", fix: str = ""
) -> str:
    context = {
        "name": names.clean_name(name)[:MAX_NAME_CHARS] or "there",
        "brand": playbook.brand.name,
        "topic": topic.replace("_", " "),
        "fact": "",
        "private": False,
        "help": playbook.brand.help_url or "",
        "cause": cause,
        "fix": fix,
    }
    try:
        return render_template(source, context).strip()
    except (TemplateError, TemplateLimitError, ArithmeticError, LookupError, TypeError):
        return ""


def _sentence(text: str) -> str:
    """``text`` as one sentence: spacing folded, a full stop added when it has none."""
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."
