"""Load the contacts directory (contacts.csv and services.csv) edited by people in Excel.

Every problem is collected before failing, with its file and line, so whoever edits the
spreadsheet can fix them all in one go rather than one per restart.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from comms_assistant.domain.audiences import (
    ALL_SERVICES,
    DEFAULT_RULES,
    Channels,
    Contact,
    ContactRole,
    Directory,
    RoutingRules,
    Service,
)
from comms_assistant.domain.incident import DomainError, Priority
from comms_assistant.resources import bundled

CONTACTS_FILE = "contacts.csv"
SERVICES_FILE = "services.csv"
CONTACT_COLUMNS = ("name", "email", "role", "teams", "services", "min_priority", "channels")
SERVICE_COLUMNS = ("key", "name", "owners")
# Added later: a services.csv without them still loads (no neighbours known).
SERVICE_OPTIONAL = ("upstream", "downstream")

# Deliberately loose: Exchange decides what is deliverable, this only catches typing slips.
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+")
_SERVICE_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
# A cell starting with one of these is a formula to Excel and other spreadsheets.
FORMULA_START = ("=", "+", "-", "@")
_SHOWN = 40


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    # A warning is shown by `contacts check` but stops nothing: the row is still used.
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ContactsError(Exception):
    """The directory has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"The contacts directory has {count} problem(s):\n{lines}")


def default_contacts_dir() -> Path:
    """The example directory shipped with the product (the top-level contacts/ folder)."""
    return bundled("contacts")


def load_directory(path: Path | None = None) -> Directory:
    directory, problems = inspect_directory(path)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContactsError(errors)
    return directory


def safe_csv_cell(value: str) -> str:
    """`value` as a cell of a CSV file the product writes, which people open in Excel.

    A cell starting with =, +, - or @ (also after spaces, a tab or a carriage return) is run as
    a formula, and a formula can fetch a web page or start a program: typed text becomes such a
    cell only with a leading apostrophe, which Excel reads as "this is text" and hides. No CSV is
    written yet; whatever writes one puts every cell through this.
    """
    if value[:1] in ("\t", "\r") or value.lstrip()[:1] in FORMULA_START:
        return "'" + value
    return value


def inspect_directory(path: Path | None = None) -> tuple[Directory, list[Problem]]:
    """What loads, and every problem found: for `contacts check`, which reports both."""
    from comms_assistant.adapters.contacts_routing import ROUTING_FILE, load_routing

    folder = default_contacts_dir() if path is None else Path(path)
    problems: list[Problem] = []
    routing = DEFAULT_RULES
    if (folder / ROUTING_FILE).exists():
        routing = load_routing(folder / ROUTING_FILE, problems, _rows)
    services = _load_services(folder / SERVICES_FILE, problems)
    contacts = _load_contacts(folder / CONTACTS_FILE, {s.key for s in services}, routing, problems)
    directory = Directory(contacts=tuple(contacts), services=tuple(services), routing=routing)
    return directory, problems


def _load_services(path: Path, problems: list[Problem]) -> list[Service]:
    services: list[Service] = []
    first_line: dict[str, int] = {}
    neighbours: list[tuple[int, str, str]] = []
    for line, row in _rows(path, SERVICE_COLUMNS, problems, optional=SERVICE_OPTIONAL):

        def problem(message: str, line: int = line) -> None:
            problems.append(Problem(path.name, line, message))

        key = row["key"].strip().lower()
        name = " ".join(row["name"].split())
        if not _SERVICE_KEY.fullmatch(key):
            problem(f'service key "{key}" must be lower-case letters, digits and hyphens')
        elif key == ALL_SERVICES:
            problem('"all" is reserved: it means every service in contacts.csv')
        elif key in first_line:
            problem(f'service key "{key}" is also on line {first_line[key]}')
        if not name:
            problem(f'service "{key}" needs a name people will recognise')
        owners = _split(row["owners"])
        for owner in owners:
            if not _EMAIL.fullmatch(owner):
                problem(f'owner "{owner}" is not an email address')
        upstream = tuple(k.lower() for k in _split(row.get("upstream", "")))
        downstream = tuple(k.lower() for k in _split(row.get("downstream", "")))
        neighbours += [(line, "upstream", k) for k in upstream]
        neighbours += [(line, "downstream", k) for k in downstream]
        if key in (*upstream, *downstream):
            problem(f'service "{key}" cannot be upstream or downstream of itself')
        first_line.setdefault(key, line)
        services.append(Service(key, name, owners, upstream, downstream))
    # Checked once every key is known: a neighbour may be listed further down the file.
    for line, direction, key in neighbours:
        if key not in first_line:
            known = ", ".join(sorted(first_line)) or "none"
            problems.append(
                Problem(
                    path.name, line, f'{direction} service "{key}" is not a key (known: {known})'
                )
            )
    return services


def _load_contacts(
    path: Path, service_keys: set[str], routing: RoutingRules, problems: list[Problem]
) -> list[Contact]:
    contacts: list[Contact] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(path, CONTACT_COLUMNS, problems):
        before = len(problems)

        def problem(message: str, line: int = line) -> None:
            problems.append(Problem(path.name, line, message))

        name = " ".join(row["name"].split())
        email = row["email"].strip()
        if not name:
            problem("name is empty")
        if not _EMAIL.fullmatch(email):
            problem(f'email "{email}" is not an email address')
        elif email.casefold() in first_line:
            problem(f'email "{email}" is also on line {first_line[email.casefold()]}')
        else:
            first_line[email.casefold()] = line

        role = ContactRole.parse(row["role"])
        if role is None:
            known = ", ".join(r.value for r in ContactRole)
            problem(f'role "{row["role"].strip()}" is not one of: {known}')

        services = tuple(s.lower() for s in _split(row["services"]))
        if not services:
            problem('services is empty: write "all" or service keys separated by ";"')
        elif ALL_SERVICES in services and len(services) > 1:
            problem('services mixes "all" with service keys: write either "all" or the keys')
        for key in services:
            if key != ALL_SERVICES and key not in service_keys:
                known = ", ".join(sorted(service_keys)) or "none"
                problem(f'service "{key}" is not in {SERVICES_FILE} (known: {known})')

        priority = None
        if not row["min_priority"].strip() and role is not None:
            # Blank: the role's default from routing.csv (or the built-in defaults).
            priority = routing.default_for(role)
            if priority is None:
                problem(f'min_priority is empty and routing has no default for "{role.value}"')
        else:
            try:
                priority = Priority.parse(row["min_priority"])
            except DomainError:
                problem(f'min_priority "{row["min_priority"].strip()}" is not P1, P2, P3 or P4')

        channels = None
        try:
            channels = Channels(row["channels"].strip().lower())
        except ValueError:
            problem(f'channels "{row["channels"].strip()}" is not email, teams, both or none')

        teams = row["teams"].strip()
        if teams and not (_EMAIL.fullmatch(teams) or _is_channel(teams)):
            problem(f'teams "{teams}" is not a sign-in address or "Team name/Channel name"')

        if len(problems) == before and role and priority and channels:
            contacts.append(Contact(name, email, role, services, priority, channels, teams))
    return contacts


def _rows(
    path: Path,
    columns: tuple[str, ...],
    problems: list[Problem],
    *,
    optional: tuple[str, ...] = (),
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each non-blank row with the line it starts on, keyed by the expected column names."""
    text = _read(path, problems)
    if text is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.append(Problem(path.name, None, "the file is empty: it needs a header row"))
        return
    # Excel users retitle columns ("Min priority"): compare loosely.
    names = [
        " ".join(h.strip().lower().replace("_", " ").split()).replace(" ", "_") for h in header
    ]
    if len(names) == 1 and ";" in header[0]:
        problems.append(
            Problem(
                path.name, 1, 'columns are separated by ";": save as "CSV UTF-8 (Comma delimited)"'
            )
        )
        return
    missing = [c for c in columns if c not in names]
    if missing:
        problems.append(Problem(path.name, 1, f"missing column(s): {', '.join(missing)}"))
        return
    index = {c: names.index(c) for c in (*columns, *optional) if c in names}
    last_line = reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            problems.append(
                Problem(
                    path.name,
                    line,
                    f"has {len(cells)} cells but the header has {len(names)}: "
                    "put a value that contains a comma in quotes",
                )
            )
            continue
        cells += [""] * (len(names) - len(cells))
        hidden = _hidden_character(path, line, names, cells)
        if hidden is not None:
            problems.append(hidden)
            continue
        problems += _formula_warnings(path, line, names, cells)
        yield line, {c: cells[i] for c, i in index.items()}


def _hidden_character(path: Path, line: int, names: list[str], cells: list[str]) -> Problem | None:
    """A control or invisible formatting character in the row: refused, and the row not used.

    A NUL in a name reached an email's Bcc display name; a right-to-left override or a
    zero-width space in an address or name makes it read as something else. Line breaks and
    tabs are allowed: Excel puts them in cells, and the values are joined onto one line.
    """
    for column, cell in enumerate(cells):
        for char in cell:
            if char in "\t\n\r" or unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
                continue
            what = f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
            return Problem(
                path.name,
                line,
                f"{_column(names, column)} has an invisible control character ({what}): "
                "retype the cell; until then this row is not used",
            )
    return None


def _formula_warnings(path: Path, line: int, names: list[str], cells: list[str]) -> list[Problem]:
    # Not refused: it may be meant. But a formula in a contacts file is more often pasted in,
    # and Excel runs it for whoever opens the file next.
    found = []
    for column, cell in enumerate(cells):
        start = cell.lstrip()[:1]
        if start in FORMULA_START:
            shown = cell.strip()
            shown = shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"
            found.append(
                Problem(
                    path.name,
                    line,
                    f'{_column(names, column)} "{shown}" starts with "{start}", so a spreadsheet '
                    "may run it as a formula: check it is what you meant",
                    warning=True,
                )
            )
    return found


def _column(names: list[str], index: int) -> str:
    name = names[index] if index < len(names) else ""
    return name if name.isprintable() and name else f"column {index + 1}"


def _read(path: Path, problems: list[Problem]) -> str | None:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte-order mark.
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(path.name, None, f"not found in {path.parent}"))
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                path.name,
                None,
                f'is not UTF-8 (byte {error.start}): save it as "CSV UTF-8 (Comma delimited)"',
            )
        )
    return None


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _is_channel(text: str) -> bool:
    team, slash, channel = text.partition("/")
    return bool(slash and team.strip() and channel.strip())
