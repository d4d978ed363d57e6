"""The "Communications sent" appendix: one row per stakeholder message that went out.

A message is all that was sent for one step of the incident (the incidents channel's card, the
emails, each Teams chat): its row says when it first went, which message it was, whom it went
to (audiences and counts) and by which channels.

Its row is tagged `ca:message:<number>:<mark>`. `number` is the message's first delivery in
the outbox, so a message is shown once however often the document is refreshed. `mark` is a
fingerprint of the text the assistant last wrote in the row: when more of the message's
deliveries go (more chats, an email that needed a retry), a refresh rewrites the row's cells in
place, unless people have changed that text since, in which case the row is theirs and stays.
Rows people add (a call, a press statement) are never touched and stay where they put them.

Documents made by earlier versions have one row per delivery, tagged `ca:sent:<number>`. Those
rows are left as they are, and a message any of whose deliveries they show is not listed again.

Rows are written in the table's own column order, read from its header row: a template may
order the columns its own way, and in an earlier version's table ("Sent at", "Channel", "To",
"Subject") "By" goes under "Channel" and "Message" under "Subject".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from copy import deepcopy
from typing import Any
from zoneinfo import ZoneInfo

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from comms_assistant.adapters.word.fields import COMMS, show_time
from comms_assistant.adapters.word.rows import (
    NewRow,
    add_missing_rows,
    find_table,
    row_number,
    table_rows,
)
from comms_assistant.adapters.word.xml import clean, element_text, set_control_text, xpath
from comms_assistant.service.word_port import SentMessage

MESSAGE_PREFIX = "ca:message:"
SENT_PREFIX = "ca:sent:"  # an earlier version's rows, one per delivery
COMMS_COLUMNS = ("Sent at", "Message", "To", "By")
# A column's heading, in lower case -> which of COMMS_COLUMNS it shows; "channel" and "subject"
# are an earlier version's headings.
_SHOWS = {"sent at": 0, "message": 1, "subject": 1, "to": 2, "by": 3, "channel": 3}


def _cells(message: SentMessage, tz: ZoneInfo) -> tuple[str, ...]:
    """In the order of COMMS_COLUMNS."""
    return (show_time(message.at, tz), message.message, message.to, message.by)


def find_comms_table(roots: list[Any], what: str, template: str, *, required: bool) -> Any:
    return find_table(roots, COMMS, len(COMMS_COLUMNS), what, template, required=required)


def add_missing_messages(table: Any, messages: Iterable[SentMessage], tz: ZoneInfo) -> int:
    """Add a row for each message not shown yet, and rewrite the rows of messages that have
    changed since (unless people changed the row); return how many rows were added or
    rewritten. Running it twice changes nothing."""
    shows = _columns(table)
    mine, older = _tagged_rows(table)
    changed = 0
    missing: list[NewRow] = []
    for message in messages:
        values = _cells(message, tz)
        cells = tuple("" if i is None else values[i] for i in shows)
        row = mine.get(message.number)
        if row is not None:
            changed += _rewrite(row, shows, cells)
        elif older.isdisjoint((message.number, *message.deliveries)):
            missing.append(NewRow(message.number, cells))
    changed += add_missing_rows(table, missing, MESSAGE_PREFIX, "Message sent")
    _mark_new_rows(table, shows)
    return changed


def _tagged_rows(table: Any) -> tuple[dict[int, Any], set[int]]:
    """The rows this version wrote, by message number (the first one wins), and the delivery
    numbers an earlier version's rows carry."""
    mine: dict[int, Any] = {}
    older: set[int] = set()
    for row in table_rows(table):
        number = row_number(row, MESSAGE_PREFIX)
        if number is not None:
            mine.setdefault(number, row)
        elif (number := row_number(row, SENT_PREFIX)) is not None:
            older.add(number)
    return mine, older


def _mark_new_rows(table: Any, shows: list[int | None]) -> None:
    """Fingerprint each row written now, so a later change by people is seen (_rewrite)."""
    for row in table_rows(table):
        tag = _tag(row)
        if tag is not None and _unmarked(tag):
            _mark(row, tag, shows)


def read_comms_rows(table: Any) -> list[tuple[int | None, list[str]]]:
    """Each row: (the number its tag carries, or None for the heading and people's rows; the
    text of each cell). An earlier version's rows carry their delivery's number."""
    rows = []
    for row in table_rows(table):
        number = row_number(row, MESSAGE_PREFIX)
        if number is None:
            number = row_number(row, SENT_PREFIX)
        rows.append((number, [element_text(tc) for tc in xpath(row, "./w:tc")]))
    return rows


def _columns(table: Any) -> list[int | None]:
    """For each column, which of COMMS_COLUMNS it shows (None: none, a column people added),
    read from the header row; the template's order when the header does not say."""
    widths = len(xpath(table, "./w:tblGrid/w:gridCol"))
    positional: list[int | None] = [i if i < len(COMMS_COLUMNS) else None for i in range(widths)]
    rows = table_rows(table)
    if not rows or row_number(rows[0], MESSAGE_PREFIX) is not None:
        return positional
    return _named_columns(rows[0]) or positional


def _named_columns(header: Any) -> list[int | None] | None:
    """What each column shows, by its heading; None unless each of COMMS_COLUMNS is there once."""
    headings = [element_text(tc).strip().casefold() for tc in xpath(header, "./w:tc")]
    shows = [_SHOWS.get(h) for h in headings]
    found = [i for i in shows if i is not None]
    return shows if sorted(found) == list(range(len(COMMS_COLUMNS))) else None


def _tag(row: Any) -> Any:
    """The `w:tag` of the row's control tagged MESSAGE_PREFIX..., or None."""
    for tag in xpath(row, ".//w:sdtPr/w:tag"):
        if str(tag.get(qn("w:val")) or "").startswith(MESSAGE_PREFIX):
            return tag
    return None


def _unmarked(tag: Any) -> bool:
    return ":" not in str(tag.get(qn("w:val")))[len(MESSAGE_PREFIX) :]


def _fingerprint(row: Any, shows: list[int | None]) -> str:
    cells = xpath(row, "./w:tc")
    texts = [element_text(tc) for tc, i in zip(cells, shows, strict=False) if i is not None]
    return hashlib.sha1("\x1f".join(texts).encode()).hexdigest()[:8]


def _mark(row: Any, tag: Any, shows: list[int | None]) -> None:
    number = str(tag.get(qn("w:val")))[len(MESSAGE_PREFIX) :].partition(":")[0]
    tag.set(qn("w:val"), f"{MESSAGE_PREFIX}{number}:{_fingerprint(row, shows)}")


def _rewrite(row: Any, shows: list[int | None], cells: tuple[str, ...]) -> int:
    """Write `cells` in the columns the assistant fills; 1 if it did, 0 if they were already
    there or people have changed the row since the assistant last wrote in it."""
    tag = _tag(row)
    if tag is None:
        return 0
    mark = str(tag.get(qn("w:val"))).rpartition(":")[2]
    tcs = xpath(row, "./w:tc")
    wanted = [(tc, text) for tc, text, i in zip(tcs, cells, shows, strict=False) if i is not None]
    if mark != _fingerprint(row, shows) or all(element_text(tc) == t for tc, t in wanted):
        return 0
    for tc, text in wanted:
        _write_cell(tc, text)
    _mark(row, tag, shows)
    return 1


def _write_cell(tc: Any, text: str) -> None:
    """Into the cell's control when it has one (the first column's), else the cell itself."""
    control = xpath(tc, f".//w:sdt[starts-with(w:sdtPr/w:tag/@w:val, '{MESSAGE_PREFIX}')]")
    if control:
        set_control_text(control[0], text)
    else:
        set_cell_text(tc, text)


def set_cell_text(tc: Any, text: str) -> None:
    """Replace the cell's paragraphs with one holding `text`, in the look of its first."""
    paragraphs = xpath(tc, "./w:p")
    p_pr = next(iter(xpath(tc, "./w:p/w:pPr")), None)
    r_pr = next(iter(xpath(tc, "./w:p/w:r/w:rPr")), None)
    for paragraph in paragraphs:
        tc.remove(paragraph)
    p = OxmlElement("w:p")
    if p_pr is not None:
        p.append(deepcopy(p_pr))
    if text:
        r = OxmlElement("w:r")
        if r_pr is not None:
            r.append(deepcopy(r_pr))
        r.text = clean(text)
        p.append(r)
    tc.append(p)
