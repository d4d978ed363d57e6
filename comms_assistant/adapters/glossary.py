"""Load an organisation's glossary (contacts/glossary.csv) for the plain-English checker.

The glossary sits beside the contacts directory and is edited in Excel like it: one row per
term, every problem reported at once with its line. The names in services.csv are allowed too,
so a service's own name is never reported as jargon.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from comms_assistant.adapters.contacts import SERVICES_FILE, default_contacts_dir
from comms_assistant.domain.plain_english import Glossary

GLOSSARY_FILE = "glossary.csv"
COLUMNS = ("term", "type", "suggestion")
TYPES = ("allow", "avoid", "jargon")


class GlossaryError(Exception):
    """The glossary has problems; the message lists each with its line."""


def load_glossary(folder: Path | None = None) -> Glossary:
    """The glossary in `folder` (default: the bundled contacts); empty when there is none."""
    folder = default_contacts_dir() if folder is None else Path(folder)
    allowed: list[str] = list(_service_names(folder / SERVICES_FILE))
    path = folder / GLOSSARY_FILE
    if not path.is_file():
        return Glossary.of(allowed)
    problems: list[str] = []
    # The suggestion for each term to avoid and each piece of jargon, by type.
    suggested: dict[str, dict[str, str]] = {"avoid": {}, "jargon": {}}
    for line, row in _read(path, problems):
        term, kind, suggestion = _term(line, row, problems)
        if kind == "allow":
            allowed.append(term)
        elif kind in suggested:
            suggested[kind][term] = suggestion
    if problems:
        raise GlossaryError(
            "The glossary has problems:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return Glossary.of(allowed, suggested["avoid"], suggested["jargon"])


def _term(line: int, row: dict[str, str], problems: list[str]) -> tuple[str, str, str]:
    """(term, type, suggestion) of a row; type "" when the row has a problem (reported)."""
    term = " ".join((row.get("term") or "").split())
    kind = (row.get("type") or "").strip().lower()
    suggestion = (row.get("suggestion") or "").strip()
    if not term:
        problems.append(f"{GLOSSARY_FILE}, line {line}: the term is empty")
        return term, "", suggestion
    if kind not in TYPES:
        problems.append(
            f'{GLOSSARY_FILE}, line {line}: type "{kind}" is not one of: {", ".join(TYPES)}'
        )
        return term, "", suggestion
    return term, kind, suggestion


def _read(path: Path, problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte order mark.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(f'{GLOSSARY_FILE}: not saved as "CSV UTF-8"')
        return []
    reader = csv.DictReader(io.StringIO(text))
    header = tuple((name or "").strip().lower() for name in reader.fieldnames or ())
    missing = [c for c in COLUMNS[:2] if c not in header]
    if missing:
        problems.append(f"{GLOSSARY_FILE}, line 1: missing column(s) {', '.join(missing)}")
        return []
    reader.fieldnames = list(header)
    return [(number, row) for number, row in enumerate(reader, start=2) if any(row.values())]


def _service_names(path: Path) -> list[str]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            row["name"].strip() for row in csv.DictReader(handle) if (row.get("name") or "").strip()
        ]
