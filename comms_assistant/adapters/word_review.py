"""The incident review: facts, a plain-English draft of what happened, and the timeline.

Built once, when the review is filed; after that it belongs to the people who write it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word_fields import (
    FACT_FIELDS,
    WHAT_HAPPENED,
    fact_values,
    fill_fields,
    open_docx,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word_timeline import add_missing_entries, find_timeline_table
from comms_assistant.domain.incident import Incident

REVIEW_FIELDS = (*FACT_FIELDS, WHAT_HAPPENED)
REVIEW_TEMPLATE = "Incident review template.docx"
_WHAT = "incident review template"


def build_review(template: bytes, incident: Incident, tz: ZoneInfo) -> bytes:
    doc = open_docx(template, _WHAT)
    roots = search_roots(doc)
    table = find_timeline_table(roots, _WHAT, REVIEW_TEMPLATE)
    values = fact_values(incident, tz) | {WHAT_HAPPENED.key: draft_what_happened(incident, tz)}
    fill_fields(roots, REVIEW_FIELDS, values, _WHAT, REVIEW_TEMPLATE)
    add_missing_entries(table, incident.timeline, tz)
    return to_bytes(doc)


def draft_what_happened(incident: Incident, tz: ZoneInfo) -> str:
    """A starting point in plain words; the reviewers rewrite it for readers outside the team."""
    sentences = [
        f"On {_when(incident.declared_at, tz)} we declared a {incident.priority.label} "
        f"incident: {_sentence(incident.title)}"
    ]
    if incident.impact:
        sentences.append(f"The impact on users was: {_sentence(incident.impact)}")
    if incident.services:
        sentences.append(f"It affected {_join(incident.services)}.")
    if incident.resolved_at is not None:
        took = _duration(incident.resolved_at - incident.declared_at)
        sentences.append(
            f"We resolved it on {_when(incident.resolved_at, tz)}, {took} later. "
            f"What fixed it: {_sentence(incident.resolution)}"
        )
    else:
        sentences.append("It is not resolved yet.")
    return " ".join(sentences)


def _when(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _join(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _duration(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts) or "less than a minute"
