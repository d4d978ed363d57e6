"""The house's rules, read from the code itself (issue 19).

- The domain imports no SQLAlchemy and nothing under comms_assistant.adapters: it is pure.
- The service layer likewise: it works on the unit of work (service/unit_of_work.py) and ports
  that bootstrap.py hands it. SERVICE_NOT_YET lists any module that still reaches below (none
  now); a new reach fails, and so does a listed one that has gone.
- No function is more complex than 15 (radon's cyclomatic complexity) and no module is longer
  than 300 lines outside the sandbox, apart from the listed ones, which likewise only shrink.
- Outside the sandbox the blocks' mean complexity is at most 3.0, the figure `radon cc -a`
  gives: a few plain functions do not hide many tangled ones.

The import rules read every import statement, those inside functions and under TYPE_CHECKING
included: a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[2] / "comms_assistant"
FORBIDDEN = ("sqlalchemy", "comms_assistant.adapters")
MOST_COMPLEX = 15
LONGEST = 300
# Issue 19: the mean complexity over every block (class, function, method) outside the
# sandbox, as `radon cc -a -s comms_assistant -e "comms_assistant/sandbox/*"` reports it.
MEAN_COMPLEXITY = 3.0

# What a service module still imports that belongs below it: empty since the unit of work.
SERVICE_NOT_YET: dict[str, set[str]] = {}

# Import circles (scripts/import_graph.py), each as its modules in order; they only go.
CIRCLES_LEFT: list[list[str]] = []

# Functions above MOST_COMPLEX, by "<module path>:<name>", with their complexity when listed.
TOO_COMPLEX: dict[str, int] = {}

# Modules longer than LONGEST lines, with their length when listed.
TOO_LONG: dict[str, int] = {}


def modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every module `path` imports, wherever the statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaches(path: Path) -> set[str]:
    """Which of FORBIDDEN `path` imports."""
    found = imported(path)
    return {
        rule for rule in FORBIDDEN for name in found if name == rule or name.startswith(rule + ".")
    }


def name_of(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def outside_the_sandbox() -> list[Path]:
    return [p for p in modules(PACKAGE) if "sandbox" not in p.relative_to(PACKAGE).parts]


def test_the_domain_imports_no_database_and_no_adapter() -> None:
    offenders = {name_of(p): sorted(r) for p in modules(PACKAGE / "domain") if (r := reaches(p))}
    assert offenders == {}


def test_the_service_layer_reaches_below_it_only_where_listed_and_the_list_shrinks() -> None:
    found = {
        p.relative_to(PACKAGE / "service").as_posix(): r
        for p in modules(PACKAGE / "service")
        if (r := reaches(p))
    }
    new = {m: sorted(r - SERVICE_NOT_YET.get(m, set())) for m, r in found.items()}
    assert {m: r for m, r in new.items() if r} == {}, "a service module reaches a new layer"
    gone = {m: sorted(r - found.get(m, set())) for m, r in SERVICE_NOT_YET.items()}
    assert {m: r for m, r in gone.items() if r} == {}, "cleaned up: take it off SERVICE_NOT_YET"


def test_no_function_is_more_complex_than_15_apart_from_the_listed_ones() -> None:
    found: dict[str, int] = {}
    for path in outside_the_sandbox():
        for block in cc_visit(path.read_text()):
            if block.complexity > MOST_COMPLEX:
                found[f"{name_of(path)}:{block.name}"] = block.complexity
    assert {k: v for k, v in found.items() if v > TOO_COMPLEX.get(k, MOST_COMPLEX)} == {}
    assert sorted(set(TOO_COMPLEX) - set(found)) == [], "simpler now: take it off TOO_COMPLEX"


def mean_complexity() -> tuple[float, int]:
    """What `radon cc -a` reports: every block's complexity (classes, functions and methods,
    closures not apart), summed and divided by how many blocks there are."""
    blocks = [block for path in outside_the_sandbox() for block in cc_visit(path.read_text())]
    return sum(block.complexity for block in blocks) / len(blocks), len(blocks)


def test_the_mean_complexity_is_at_most_3() -> None:
    mean, blocks = mean_complexity()
    print(f"mean complexity {mean:.4f} over {blocks} blocks")
    assert mean <= MEAN_COMPLEXITY, f"mean complexity {mean:.4f} over {blocks} blocks"


def test_no_module_is_longer_than_300_lines_apart_from_the_listed_ones() -> None:
    found = {
        name_of(p): n
        for p in outside_the_sandbox()
        if (n := len(p.read_text().splitlines())) > LONGEST
    }
    assert {k: v for k, v in found.items() if v > TOO_LONG.get(k, LONGEST)} == {}
    assert sorted(set(TOO_LONG) - set(found)) == [], "shorter now: take it off TOO_LONG"


def test_the_rules_see_imports_inside_functions_and_type_checking_blocks(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n"
        "def f():\n    from comms_assistant.adapters import store\n"
    )
    assert reaches(module) == {"sqlalchemy", "comms_assistant.adapters"}


def import_circles() -> list[list[str]]:
    script = PACKAGE.parent / "scripts" / "import_graph.py"
    spec = importlib.util.spec_from_file_location("import_graph", script)
    assert spec is not None and spec.loader is not None
    graph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(graph)
    return [sorted(circle) for circle in graph.import_circles()]


def test_no_two_modules_import_each_other_apart_from_the_listed_circles() -> None:
    found = import_circles()
    assert [c for c in found if c not in CIRCLES_LEFT] == [], "a new import circle"
    assert [c for c in CIRCLES_LEFT if c not in found] == [], "gone: take it off CIRCLES_LEFT"


def test_sql_lives_in_one_room() -> None:
    """SQLAlchemy, beyond the Engine type handed around, is used in adapters/sql/ only: the
    differences between SQLite and PostgreSQL land in one place (issue 19, issue 20)."""
    store = PACKAGE / "adapters" / "sql"
    found = {
        name_of(path): sorted(n for n in imported(path) if _sql_beyond_engine(n))
        for path in modules(PACKAGE)
        if store not in path.parents
    }
    assert {module: names for module, names in found.items() if names} == {}


def _sql_beyond_engine(name: str) -> bool:
    return (name == "sqlalchemy" or name.startswith("sqlalchemy.")) and not name.startswith(
        "sqlalchemy.engine"
    )
