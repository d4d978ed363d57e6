"""The ways in (entrypoints/) read the store only through its read-model, adapters/sql/views.py
(issue 19): no rows, no sessions, no queries of their own. They may name sqlalchemy.engine's
Engine, which they pass along. What is left is listed with why, and the list only shrinks.
"""

from __future__ import annotations

from pathlib import Path

from test_architecture import PACKAGE, imported, modules

ENTRYPOINTS = PACKAGE / "entrypoints"
FORBIDDEN = (
    "comms_assistant.adapters.sql.store",
    "comms_assistant.adapters.sql.models",
    "comms_assistant.adapters.sql.outbox",
    "sqlalchemy",
)
ALLOWED = ("sqlalchemy.engine",)  # the Engine type, handed to views and the service

# Module (under entrypoints/) -> what it still imports of FORBIDDEN, and why.
NOT_YET: dict[str, set[str]] = {
    # `comms-assistant deliver --failed` puts failed deliveries back in the queue: a write, which
    # belongs to a service use case (none exists yet), not to the read-model.
    "run_command.py": {"comms_assistant.adapters.sql.outbox"},
}


def forbidden_reads(path: Path) -> set[str]:
    found = set()
    for name in imported(path):
        if any(name == a or name.startswith(a + ".") for a in ALLOWED):
            continue
        found |= {rule for rule in FORBIDDEN if name == rule or name.startswith(rule + ".")}
    return found


def test_entry_points_read_the_store_only_through_views_apart_from_the_listed() -> None:
    found = {
        p.relative_to(ENTRYPOINTS).as_posix(): r
        for p in modules(ENTRYPOINTS)
        if (r := forbidden_reads(p))
    }
    new = {m: sorted(r - NOT_YET.get(m, set())) for m, r in found.items()}
    assert {m: r for m, r in new.items() if r} == {}, "an entry point reads the store itself"
    gone = {m: sorted(r - found.get(m, set())) for m, r in NOT_YET.items()}
    assert {m: r for m, r in gone.items() if r} == {}, "cleaned up: take it off NOT_YET"


def test_the_rule_sees_each_forbidden_import_and_lets_the_engine_type_through(
    tmp_path: Path,
) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from sqlalchemy.engine import Engine\n"
        "from comms_assistant.adapters.sql import views\n"
        "def f():\n    from comms_assistant.adapters.sql import store\n"
        "from sqlalchemy import select\n"
        "from comms_assistant.adapters.sql.models import OutboxRow\n"
    )
    assert forbidden_reads(module) == {
        "comms_assistant.adapters.sql.store",
        "comms_assistant.adapters.sql.models",
        "sqlalchemy",
    }
