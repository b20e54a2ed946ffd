"""The package layers hold: no import points up a layer or sideways, and only the shell reads
the environment.

Bottom to top: ``core`` (imports nothing of the product) -> ``store`` -> ``listener``,
``scoring``, ``playbooks``, ``outbound`` (never each other) -> ``dashboard`` -> the shell
(``critic2fan`` and any other top-level package of ours, e.g. ``sample``), which may import
everything. Imports are
read with ``ast``, so those inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: What each layered package may import of the product, besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "store": frozenset({"core"}),
    "listener": frozenset({"core", "store"}),
    "scoring": frozenset({"core", "store"}),
    "playbooks": frozenset({"core", "store"}),
    "outbound": frozenset({"core", "store"}),
    "dashboard": frozenset({"core", "store", "listener", "scoring", "playbooks", "outbound"}),
}
#: Folders of ours that are not product packages: nothing in the product may import them.
NOT_PRODUCT = frozenset({"tests", "benchmarks", "scripts", "docs", "deploy"})

#: The few environment accesses allowed below the shell, each with the reason.
ENV_EXCEPTIONS: dict[str, str] = {
    "scoring/encoder.py": "sets HF_HUB_OFFLINE / TOKENIZERS_PARALLELISM with setdefault: "
    "configuration of the transformers and tokenizers libraries for local weights, not a "
    "setting, and needed by every caller (benchmarks and tests included)",
}
_OS_ENV_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})


def first_party() -> frozenset[str]:
    """Every top-level folder of the repository that holds Python code."""
    return frozenset(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith(".") and any(p.rglob("*.py"))
    ) - {"build", "dist"}


def allowed_for(package: str, ours: frozenset[str]) -> frozenset[str]:
    """What ``package`` may import; an unlisted package of ours is the shell and may import all."""
    if package in ALLOWED:
        return ALLOWED[package]
    return ours - NOT_PRODUCT - {package}


def product_packages(ours: frozenset[str]) -> list[str]:
    """The layered packages and every shell package (``critic2fan``, ``sample``, ...)."""
    return sorted(ours - NOT_PRODUCT)


def modules(package: str) -> Iterator[Path]:
    """Every Python file of ``package``."""
    yield from sorted((ROOT / package).rglob("*.py"))


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every absolute import, ``importlib.import_module("...")`` too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def layer_violations(
    package: str, source: str, ours: frozenset[str], where: str = "<string>"
) -> list[str]:
    """One line per import in ``source`` (a module of ``package``) that breaks the layers."""
    allowed = allowed_for(package, ours) | {package}
    return [
        f"{where}:{line}: {package} imports {module}"
        for line, module in imported_modules(ast.parse(source))
        if (top := module.split(".")[0]) in ours and top not in allowed
    ]


def env_reads(source: str) -> list[int]:
    """Lines where ``source`` touches the process environment through ``os``."""
    tree = ast.parse(source)
    os_names = {"os"}
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names |= {a.asname or a.name for a in node.names if a.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            lines += [node.lineno for a in node.names if a.name in _OS_ENV_NAMES]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _OS_ENV_NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        ):
            lines.append(node.lineno)
    return sorted(lines)


OURS = first_party()


@pytest.mark.parametrize("package", product_packages(OURS))
def test_layers__no_import_points_up_or_sideways(package: str) -> None:
    problems: list[str] = []
    for path in modules(package):
        where = str(path.relative_to(ROOT))
        problems += layer_violations(package, path.read_text(encoding="utf-8"), OURS, where)
    assert problems == []


def test_layers__every_layer_is_scanned() -> None:
    assert set(ALLOWED) | {"critic2fan"} <= set(product_packages(OURS))
    for package in product_packages(OURS):
        assert any(True for _ in modules(package)), package


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_env__lower_packages_never_read_the_environment(package: str) -> None:
    found = []
    for path in modules(package):
        where = str(path.relative_to(ROOT))
        if where in ENV_EXCEPTIONS:
            continue
        found += [f"{where}:{line}" for line in env_reads(path.read_text(encoding="utf-8"))]
    assert found == [], "only the shell reads the environment: pass a setting down instead"


@pytest.mark.parametrize("where", sorted(ENV_EXCEPTIONS))
def test_env__every_exception_is_still_needed(where: str) -> None:
    assert env_reads((ROOT / where).read_text(encoding="utf-8")), f"drop {where} from the list"


@pytest.mark.parametrize(
    ("package", "source", "bad"),
    [
        ("core", "import store.models", True),
        ("store", "from core.errors import ConfigError", False),
        ("store", "def f():\n    from listener.records import X", True),
        ("scoring", "from listener.importer import import_file", True),
        ("scoring", "if TYPE_CHECKING:\n    from critic2fan.settings import S", True),
        ("playbooks", "import scoring", True),
        ("dashboard", "from playbooks import engine\nimport scoring.worker", False),
        ("dashboard", "from critic2fan.settings import load_settings", True),
        ("dashboard", "import importlib\nimportlib.import_module('critic2fan.cli')", True),
        ("listener", "import sample", True),
        ("listener", "from tests.fakes import x", True),
        ("critic2fan", "import dashboard.app, sample, store", False),
        ("sample", "from listener.files import read_import_file", False),
        ("sample", "import tests", True),
        ("scoring", "import numpy, os, json", False),
    ],
)
def test_layers__checker_catches_what_it_should(package: str, source: str, bad: bool) -> None:
    ours = frozenset(ALLOWED) | {"critic2fan", "sample", "tests"}
    assert bool(layer_violations(package, source, ours)) is bad


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import os\nx = os.environ.get('A')", [2]),
        ("import os as o\nx = o.getenv('A')", [2]),
        ("from os import environ\n", [1]),
        ("import os\nos.environ['A'] = '1'", [2]),
        ("import os\nos.path.join('a', 'b')\nos.cpu_count()", []),
    ],
)
def test_env__checker_catches_what_it_should(source: str, lines: list[int]) -> None:
    assert env_reads(source) == lines
