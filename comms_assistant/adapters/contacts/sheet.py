"""Reading the directory's CSV files as people save them from Excel, and the problems found.

Every problem is collected before failing, with its file and line, so whoever edits the
spreadsheet can fix them all in one go rather than one per restart.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def rows(
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
    names = _header(path, next(reader, None), columns, problems)
    if names is None:
        return
    index = {c: names.index(c) for c in (*columns, *optional) if c in names}
    for line, cells in _lines(reader):
        refused = _refused(path, line, names, cells)
        if refused is not None:
            problems.append(refused)
            continue
        cells += [""] * (len(names) - len(cells))
        problems += _formula_warnings(path, line, names, cells)
        yield line, {c: cells[i] for c, i in index.items()}


def _lines(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank row's cells, with the line it starts on (a quoted cell can span lines)."""
    last_line = reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, cells


def _header(
    path: Path, header: list[str] | None, columns: tuple[str, ...], problems: list[Problem]
) -> list[str] | None:
    """The header's column names, compared loosely; None (and a problem) when unusable."""
    if header is None:
        problems.append(Problem(path.name, None, "the file is empty: it needs a header row"))
        return None
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
        return None
    missing = [c for c in columns if c not in names]
    if missing:
        problems.append(Problem(path.name, 1, f"missing column(s): {', '.join(missing)}"))
        return None
    return names


def _refused(path: Path, line: int, names: list[str], cells: list[str]) -> Problem | None:
    """Why the row cannot be used at all, if it cannot."""
    if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
        return Problem(
            path.name,
            line,
            f"has {len(cells)} cells but the header has {len(names)}: "
            "put a value that contains a comma in quotes",
        )
    return _hidden_character(path, line, names, cells)


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
