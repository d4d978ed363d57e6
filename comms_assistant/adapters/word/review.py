"""The incident review, for learning: the facts and a plain-English draft of what happened, the
sections people write (cause, what went well, what could be better, recommendations), then the
assistant's record: the timeline and, as an appendix, the communications sent.

Built once, when the review is filed; after that it belongs to the people who write it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.adapters.render_text import clock
from comms_assistant.adapters.word.actions import write_actions
from comms_assistant.adapters.word.comms import SentMessage, add_missing_messages, find_comms_table
from comms_assistant.adapters.word.fields import (
    FACT_FIELDS,
    RECOMMENDATIONS,
    WHAT_HAPPENED,
    fact_values,
    fill_fields,
    open_docx,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word.properties import stamp_document
from comms_assistant.adapters.word.rows import find_table, read_table
from comms_assistant.adapters.word.timeline import add_missing_entries, find_timeline_table
from comms_assistant.domain.history import history_of, priority_story
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.plain_english.rules import (
    MAX_PARAGRAPH_SENTENCES,
    MAX_SENTENCE_WORDS,
)
from comms_assistant.domain.plain_english.text import WORD, paragraphs
from comms_assistant.domain.times import zone_in_words
from comms_assistant.service.word_port import Stamp

REVIEW_FIELDS = (*FACT_FIELDS, WHAT_HAPPENED)
REVIEW_TEMPLATE = "Incident review template.docx"
_WHAT = "incident review template"


def build_review(
    template: bytes,
    incident: Incident,
    tz: ZoneInfo,
    comms: Iterable[SentMessage] = (),
    stamp: Stamp | None = None,
    service_names: Mapping[str, str] | None = None,
) -> bytes:
    """`service_names` (key -> name, from services.csv): the draft names services so."""
    doc = open_docx(template, _WHAT)
    roots = search_roots(doc)
    table = find_timeline_table(roots, _WHAT, REVIEW_TEMPLATE)
    # Optional: an organisation's review template from before the comms table still works.
    sent = find_comms_table(roots, _WHAT, REVIEW_TEMPLATE, required=False)
    draft = draft_what_happened(incident, tz, service_names)
    values = fact_values(incident, tz) | {WHAT_HAPPENED.key: draft}
    fill_fields(roots, REVIEW_FIELDS, values, _WHAT, REVIEW_TEMPLATE)
    add_missing_entries(table, incident.timeline, tz)
    if sent is not None:
        add_missing_messages(sent, comms, tz)
    write_actions(doc, roots, incident.actions, _WHAT, over=not incident.is_open)
    stamp_document(doc, incident, stamp)
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


def draft_what_happened(
    incident: Incident, tz: ZoneInfo, service_names: Mapping[str, str] | None = None
) -> str:
    """A starting point in plain words; the reviewers rewrite it for readers outside the team.

    Short paragraphs, one a line (each line is a paragraph in Word): what it was and what it
    affected, how its priority changed, how it ended. It passes the plain-English check for an
    ordinary incident (WordingCheck.review_introduction): the zone is named in words once, at
    the first time given, and services by their names (`service_names`, key -> name).
    """
    declared = incident.declared_at.astimezone(tz)
    about = _what_it_was(incident, declared)
    services, listed = _what_it_affected(incident, service_names or {})
    time = _first_time_names_zone()
    # What it was declared at, how it changed and its peak: the priority at the end alone
    # misreports both an incident raised to P1 and one declared P1 and then lowered.
    story = priority_story(history_of(incident), tz, time=time)
    ending = _how_it_ended(incident, tz, declared, time)
    lines = [
        *_paragraphs(about + services),
        *listed,
        *_paragraphs(_sentences(story)),
        *_paragraphs(ending),
    ]
    return "\n".join(lines)


def _what_it_was(incident: Incident, declared: datetime) -> list[str]:
    """When it was and its title in one sentence, or two when one would be too long; then how
    it affected users."""
    opening = f"On {declared:%A} {declared.day} {declared:%B %Y} we had an incident: "
    about = (
        [opening + _sentence(incident.title)]
        if _words(opening + incident.title) <= _LONGEST
        else [f"We had an incident on {declared:%A} {declared.day} {declared:%B %Y}.",
              _sentence(incident.title)]
    )  # fmt: skip
    if incident.impact.strip():
        about.append(f"How it affected users: {_sentence(incident.impact)}")
    return about


def _what_it_affected(
    incident: Incident, service_names: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The services it affected: (a sentence for the paragraph, or lines of a list when a
    sentence would hold too many)."""
    names = [service_names.get(key, key) for key in incident.services]
    if not names:
        return [], []
    sentence = f"It affected {_join(tuple(names))}."
    if len(names) <= _SERVICES_IN_A_SENTENCE and _words(sentence) <= _LONGEST:
        return [sentence], []
    return [], [f"It affected {len(names)} services:", *(f"\u2022 {n}" for n in names)]


def _how_it_ended(
    incident: Incident, tz: ZoneInfo, declared: datetime, time: Callable[[datetime], str]
) -> list[str]:
    if incident.resolved_at is None:
        return ["We have not resolved it yet."]
    took = duration(incident.resolved_at - incident.declared_at)
    when = _on_day(incident.resolved_at.astimezone(tz), declared, time)
    ending = [f"We resolved it at {when}, {took} after we declared it."]
    if incident.resolution.strip():
        ending.append(f"What fixed it: {_sentence(incident.resolution)}")
    return ending


# The plain-English check's limits (domain/plain_english/rules.py): a sentence past 25 words
# is hard to follow, and a paragraph past 5 sentences.
_LONGEST = MAX_SENTENCE_WORDS
_MOST_SENTENCES = MAX_PARAGRAPH_SENTENCES
# More services than this read better as a list, one a line.
_SERVICES_IN_A_SENTENCE = 3


def _paragraphs(parts: list[str]) -> list[str]:
    """`parts` (each a sentence, or a few a person wrote) in order, in paragraphs of at most
    _MOST_SENTENCES sentences where the parts allow."""
    packed: list[list[str]] = []
    count = 0
    for part in parts:
        n = len(_sentences(part))
        if not packed or count + n > _MOST_SENTENCES:
            packed.append([])
            count = 0
        packed[-1].append(part)
        count += n
    return [" ".join(group) for group in packed]


def _sentences(text: str) -> list[str]:
    """`text`'s sentences, split as the plain-English check splits them."""
    return [text[s.start : s.end] for p in paragraphs(text) for s in p.sentences]


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _first_time_names_zone() -> Callable[[datetime], str]:
    """Words a local time, GOV.UK style ("2:05pm"); the first one also names the zone ("2:05pm
    UK time"): once is enough for a reader, and an acronym (GMT) would need explaining."""
    named = False

    def time(local: datetime) -> str:
        nonlocal named
        if named:
            return clock(local)
        named = True
        return f"{clock(local)} {zone_in_words(local)}"

    return time


def _on_day(local: datetime, declared: datetime, time: Callable[[datetime], str]) -> str:
    """The time, and its day when that is not the day the incident was declared."""
    if local.date() == declared.date():
        return time(local)
    year = f" {local.year}" if local.year != declared.year else ""
    return f"{time(local)} on {local:%A} {local.day} {local:%B}{year}"


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
