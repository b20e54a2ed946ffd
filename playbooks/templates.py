"""Suggested replies: the playbook's templates rendered in a bounded sandbox.

Templates are Jinja2 run in a sandbox (no attribute tricks, no code execution) with
``StrictUndefined`` so a misspelt variable is an error when the playbook is validated,
not a blank in a reply. Autoescape is off: replies are plain text, never HTML. Staff edit the
rendered text before it is sent.

The sandbox is also bounded, because a playbook may come from someone else (the board checks
uploaded ones): no text or list longer than :data:`MAX_REPLY_CHARS` is ever built, ``range()``
holds at most :data:`MAX_RANGE_ITEMS` numbers, a render takes at most :data:`MAX_STEPS` steps
(loop iterations, calls, lookups, outputs) and :data:`MAX_RENDER_SECONDS` of wall-clock time,
and macros nest at most :data:`MAX_DEPTH` deep. Going over any of them raises
:class:`TemplateLimitError` naming the limit.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.exceptions import TemplateRuntimeError
from jinja2.runtime import Context, str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from core import names
from core.errors import PlaybookError
from playbooks.schema import Playbook

#: The longest text (a reply, or any value built on the way) a template may produce.
MAX_REPLY_CHARS = 10_000
#: The most numbers one ``range()`` may hold.
MAX_RANGE_ITEMS = 1_000
#: Loop iterations, calls, attribute lookups and outputs allowed in one render.
MAX_STEPS = 50_000
#: Wall-clock time allowed for one render.
MAX_RENDER_SECONDS = 1.0
#: How deep macro calls (and recursive loops) may nest.
MAX_DEPTH = 50
#: The largest integer an arithmetic operator may produce, in bits.
MAX_INT_BITS = 256

#: Values used to check every template renders when a playbook is loaded.
SAMPLE_CONTEXT: dict[str, object] = {
    "name": "Alex",
    "brand": "Brand",
    "topic": "billing",
    "fact": "A fact.",
    "private": False,
    "help": "https://brand.example/help",
    "cause": "A router update failed in one region.",
    "fix": "We rolled the update back and added a check before every release.",
}

MAX_NAME_CHARS = 80
#: The longest root cause or fix an incident records (they go into the ``fixed`` follow-up).
MAX_INCIDENT_TEXT_CHARS = 1_000

# Methods and filters whose integer arguments are sizes (widths, counts) of their output.
_SIZE_ARGUMENTS = frozenset(
    {"center", "ljust", "rjust", "zfill", "truncate", "wordwrap", "batch", "slice", "indent"}
)
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d*|\*)(?:\.(\d*|\*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:([^{}]*)\}")
_DIGITS = re.compile(r"\d+")
_NESTED_BRACE = re.compile(r"\{[^{}]*\{")


class TemplateLimitError(TemplateRuntimeError):
    """A template went over a render limit (size, work, time or depth)."""


@dataclass
class _Budget:
    """What one render may still spend; shared by every hook while it runs."""

    steps_left: int
    deadline: float
    depth: int = 0

    def charge(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise TemplateLimitError(f"the template does too much work (over {MAX_STEPS:,} steps)")
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(
                f"the template took longer than {MAX_RENDER_SECONDS:g} s to render"
            )


_BUDGET: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


def _charge() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge()


def _too_long(what: str = "a text or list") -> TemplateLimitError:
    return TemplateLimitError(f"{what} would be longer than {MAX_REPLY_CHARS:,} characters")


def _weight(value: object, limit: int = MAX_REPLY_CHARS, depth: int = 0) -> int:
    """Characters and items in ``value``, deep; stops counting once past ``limit``."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, Mapping):
        items: Iterable[object] = (x for pair in value.items() for x in pair)
        total = len(value)
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
        total = len(value)
    else:
        return 0
    if depth > 20:
        return limit + 1  # self-referencing or absurdly nested
    for item in items:
        if total > limit:
            break
        total += _weight(item, limit - total, depth + 1)
    return total


def _check_size(value: object) -> None:
    if _weight(value) > MAX_REPLY_CHARS:
        raise _too_long()


def _check_format(spec: str) -> tuple[int, bool]:
    """The widths a ``%`` or ``{}`` format string asks for (refusing absurd ones), and
    whether it also takes widths from its arguments (``%*d``, ``{:{}}``)."""
    numbers: list[int] = []
    for match in _PERCENT_SPEC.finditer(spec):
        numbers += [int(g) for g in match.groups() if g and g != "*"]
    for match in _BRACE_SPEC.finditer(spec):
        numbers += [int(d) for d in _DIGITS.findall(match.group(1))]
    total = sum(numbers)
    if total > MAX_REPLY_CHARS:
        raise _too_long("a formatted text")
    return total, "*" in spec or _NESTED_BRACE.search(spec) is not None


def _estimate(name: str, receiver: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """How long the result of calling method or filter ``name`` can be, before calling it."""
    values = [*args, *kwargs.values()]
    inputs = [receiver, *values] if receiver is not None else values
    size = sum(_weight(v) for v in inputs)
    flat = [x for v in values for x in (v.values() if isinstance(v, Mapping) else (v,))]
    ints = [abs(v) for v in flat if isinstance(v, int) and not isinstance(v, bool)]
    texts = [v for v in inputs if isinstance(v, str)]
    if name in _SIZE_ARGUMENTS:
        size += max(ints, default=0)
    if name == "expandtabs" and texts:
        size += texts[0].count("\t") * max(ints, default=8)
    elif name == "indent" and texts:
        widest = max([len(t) for t in texts[1:]] + ints, default=4)
        size += texts[0].count("\n") * widest
    elif name == "replace" and len(texts) >= 3:
        s, old, new = texts[:3]
        size += (s.count(old) if old else len(s) + 1) * len(new)
    elif name == "join":
        lengths = sorted(len(v) for v in inputs if isinstance(v, str | list | tuple))
        size += lengths[-1] * lengths[-2] if len(lengths) > 1 else 0
    elif name in ("format", "format_map") and texts:
        widths, from_arguments = _check_format(texts[0])
        size += widths + (max(ints, default=0) if from_arguments else 0)
    return size


def _check_call(name: str, receiver: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if _estimate(name, receiver, args, kwargs) > MAX_REPLY_CHARS:
        raise _too_long(f"the result of {name}()")


def _receiver(obj: object) -> object:
    """The text or container a method is bound to (None for plain functions)."""
    inner = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    bound = getattr(inner, "__self__", None)
    return bound if isinstance(bound, str | bytes | list | tuple | dict | set) else None


def _check_binop(operator: str, left: Any, right: Any) -> None:
    sequence = str | bytes | list | tuple
    size = 0
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, sequence) and isinstance(n, int):
                size = len(seq) * max(n, 0)
    elif operator == "+" and isinstance(left, sequence) and isinstance(right, type(left)):
        size = len(left) + len(right)
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS:
            raise TemplateLimitError(f"a number would be larger than 2**{MAX_INT_BITS}")
    elif operator == "%" and isinstance(left, str):
        _, from_arguments = _check_format(left)
        given = right if isinstance(right, tuple) else (right,)
        ints = [abs(v) for v in given if isinstance(v, int)]
        size = max(ints, default=0) if from_arguments else 0
    if size > MAX_REPLY_CHARS:
        raise _too_long()


def _bounded_range(*args: int) -> range:
    """``range()`` for templates: at most :data:`MAX_RANGE_ITEMS` numbers."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE_ITEMS:
        raise TemplateLimitError(f"range() may hold at most {MAX_RANGE_ITEMS:,} numbers")
    return numbers


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """Every ``{% for %}`` loop iterates through this, so each iteration costs a step."""
    for item in iterable:
        _charge()
        yield item


def _joined(*parts: Any) -> str:
    """The ``~`` operator, sized by the sandbox's call check."""
    return str_join(parts)


class _Bounder(NodeTransformer):
    """Routes loops and ``~`` through the counting helpers above."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)  # rewrites the children in place
        node.iter = _helper_call("_counted", [node.iter], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _helper_call("_joined", list(node.nodes), node.lineno)


def _helper_call(name: str, args: list[nodes.Node], lineno: int) -> nodes.Call:
    helper = nodes.ImportedName(f"{__name__}.{name}", lineno=lineno)
    return nodes.Call(helper, args, [], None, None, lineno=lineno)


class BoundedSandbox(SandboxedEnvironment):
    """A Jinja2 sandbox whose renders are capped in size, work, time and depth."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,  # noqa: S701 (plain text)
            finalize=self._finalize_output,
        )
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)
        for name, func in list(self.filters.items()):
            self.filters[name] = _bounded_filter(name, func)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = _Bounder().visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        return tree

    def concat(self, parts: Iterable[str]) -> str:
        """Join a render's (or a block's) output, stopping at the size cap."""
        out: list[str] = []
        total = 0
        for part in parts:
            total += len(part)
            if total > MAX_REPLY_CHARS:
                raise _too_long("the text")
            out.append(part)
        return "".join(out)

    def _finalize_output(self, value: Any) -> Any:
        _charge()
        _check_size(value)
        return value

    def call(
        __self,  # noqa: N805 (the sandbox's own convention)
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Call from a template: one step, sized before and after, nesting counted."""
        _charge()
        receiver = _receiver(__obj)
        if receiver is not None:
            _check_call(getattr(__obj, "__name__", ""), receiver, args, kwargs)
        budget = _BUDGET.get()
        if budget is not None:
            budget.depth += 1
            if budget.depth > MAX_DEPTH:
                raise TemplateLimitError(f"macros nest more than {MAX_DEPTH} deep")
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            if budget is not None:
                budget.depth -= 1
        _check_size(result)
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``* ** + %`` from a template, refused before they build something too large."""
        _charge()
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError(f"a number would be larger than 2**{MAX_INT_BITS}")
        _check_size(result)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Attribute lookup from a template: one step."""
        _charge()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Item lookup from a template: one step."""
        _charge()
        return super().getitem(obj, argument)


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps jinja's pass_context / pass_eval_context marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _charge()
        _check_call(name, None, args, kwargs)
        result = func(*args, **kwargs)
        _check_size(result)
        return result

    return bounded


_ENV = BoundedSandbox()


@lru_cache(maxsize=512)
def compile_template(source: str) -> Template:
    """Compile once; raises ``jinja2.TemplateSyntaxError`` on a broken template."""
    return _ENV.from_string(source)


def render_template(template: Template | str, context: Mapping[str, object]) -> str:
    """Render within the limits; raises :class:`TemplateLimitError` when one is hit."""
    compiled = compile_template(template) if isinstance(template, str) else template
    token = _BUDGET.set(_Budget(MAX_STEPS, time.monotonic() + MAX_RENDER_SECONDS))
    try:
        return compiled.render(**context)
    except RecursionError:
        raise TemplateLimitError("the template nests too deeply") from None
    except MemoryError:
        raise _too_long("the text") from None
    finally:
        _BUDGET.reset(token)


def pick_template(playbook: Playbook, stage: str, topic: str) -> str | None:
    """The template for ``stage`` and ``topic``, falling back to the stage's default."""
    key = template_key(playbook, stage, topic)
    return None if key is None else playbook.templates[stage][key]


def template_key(playbook: Playbook, stage: str, topic: str) -> str | None:
    """Which of the stage's templates a topic uses: its own, else ``default``."""
    by_topic = playbook.templates.get(stage)
    if by_topic is None:
        return None
    if by_topic.get(topic):
        return topic
    return "default" if by_topic.get("default") else None


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
    cause: str = "",
    fix: str = "",
) -> str:
    """The suggested reply text for a case (empty when the stage has no template).

    ``cause`` and ``fix`` are an incident's root cause and fix (the ``fixed`` follow-up's).

    A template that goes over a limit is a :class:`PlaybookError` naming the template.
    """
    key = template_key(playbook, stage, topic)
    if key is None:
        return ""
    clean_name = names.clean_name(name)[:MAX_NAME_CHARS] or "there"
    context = {
        "name": clean_name,
        "brand": playbook.brand.name,
        "topic": topic.replace("_", " "),
        "fact": fact_text(playbook, fact_ids),
        "private": private,
        "help": playbook.brand.help_url or "",
        "cause": cause,
        "fix": fix,
    }
    try:
        return render_template(playbook.templates[stage][key], context).strip()
    except TemplateLimitError as exc:
        raise PlaybookError(f"templates.{stage}.{key}: {exc}") from None
