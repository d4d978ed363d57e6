"""The incident review: facts, a plain-English draft of what happened, the timeline and the
communications sent, with empty tables for recommendations and actions.

Built once, when the review is filed; after that it belongs to the people who write it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word_comms import SentMessage, add_missing_messages, find_comms_table
from comms_assistant.adapters.word_fields import (
    FACT_FIELDS,
    RECOMMENDATIONS,
    WHAT_HAPPENED,
    fact_values,
    fill_fields,
    open_docx,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word_rows import find_table, read_table
from comms_assistant.adapters.word_timeline import add_missing_entries, find_timeline_table
from comms_assistant.domain.history import history_of, priority_story
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.times import zone_name

REVIEW_FIELDS = (*FACT_FIELDS, WHAT_HAPPENED)
REVIEW_TEMPLATE = "Incident review template.docx"
_WHAT = "incident review template"


def build_review(
    template: bytes, incident: Incident, tz: ZoneInfo, comms: Iterable[SentMessage] = ()
) -> bytes:
    doc = open_docx(template, _WHAT)
    roots = search_roots(doc)
    table = find_timeline_table(roots, _WHAT, REVIEW_TEMPLATE)
    # Optional: an organisation's review template from before the comms table still works.
    sent = find_comms_table(roots, _WHAT, REVIEW_TEMPLATE, required=False)
    values = fact_values(incident, tz) | {WHAT_HAPPENED.key: draft_what_happened(incident, tz)}
    fill_fields(roots, REVIEW_FIELDS, values, _WHAT, REVIEW_TEMPLATE)
    add_missing_entries(table, incident.timeline, tz)
    if sent is not None:
        add_missing_messages(sent, comms, tz)
    return to_bytes(doc)


def read_recommendations(review: bytes) -> list[list[str]]:
    """The rows people have written in the review's recommendations table (tagged
    `ca:recommendations`), without the heading row and without empty rows."""
    roots = search_roots(open_docx(review, "incident review"))
    table = find_table(
        roots, RECOMMENDATIONS, 1, "incident review", REVIEW_TEMPLATE, required=False
    )
    if table is None:
        return []
    rows = [cells for _, cells in read_table(table, "ca:")[1:]]
    return [[c.strip() for c in cells] for cells in rows if any(c.strip() for c in cells)]


def draft_what_happened(incident: Incident, tz: ZoneInfo) -> str:
    """A starting point in plain words; the reviewers rewrite it for readers outside the team."""
    declared = incident.declared_at.astimezone(tz)
    sentences = [
        f"On {declared.day} {declared:%B %Y} we had an incident: {_sentence(incident.title)}",
        # What it was declared at, how it changed and its peak: the priority at the end alone
        # misreports both an incident raised to P1 and one declared P1 and then lowered.
        priority_story(history_of(incident), tz),
    ]
    if incident.impact:
        sentences.append(f"The impact on users was: {_sentence(incident.impact)}")
    if incident.services:
        sentences.append(f"It affected {_join(incident.services)}.")
    if incident.resolved_at is not None:
        took = duration(incident.resolved_at - incident.declared_at)
        sentences.append(
            f"We resolved it on {_when(incident.resolved_at, tz)}, {took} later. "
            f"What fixed it: {_sentence(incident.resolution)}"
        )
    else:
        sentences.append("It is not resolved yet.")
    return " ".join(sentences)


def _when(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.day} {local:%B %Y} at {local:%H:%M} {zone_name(local)}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _join(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def duration(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts) or "less than a minute"
