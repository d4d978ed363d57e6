"""What the board report says for a month, from the incidents' figures (domain/figures.py):
its incidents in a table, the month's figures against the three months before, the open
follow-up actions, a plain-English summary, and the chart's numbers. No I/O: the use case
(board_report.py) reads the incidents and the P1s' lessons, and files the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from comms_assistant.domain.figures import Figures, Punctuality, Summary, by_month, summarise
from comms_assistant.domain.incident import RESTRICTED_TITLE, Incident, Priority

INCIDENT_COLUMNS = (
    "Reference",
    "Incident",
    "Priority",
    "Declared",
    "To first message (min)",
    "To resolve (min)",
    "Updates on time",
)
FIGURE_COLUMNS = ("Measure", "This month", "Previous three months")
ACTION_COLUMNS = ("Incident", "Action", "Owner", "Due")


@dataclass(frozen=True)
class ChartData:
    months: tuple[str, ...]  # "Aug 2026", ... the month itself last
    counts: dict[str, list[int]]  # priority label -> incidents per month
    punctuality: tuple[float | None, ...]


@dataclass(frozen=True)
class BoardContent:
    month: str  # "November 2026"
    key: str  # "2026-11"
    summary: str
    incidents: list[tuple[str, ...]]
    figures: list[tuple[str, str, str]]
    lessons: str = ""
    actions: list[tuple[str, ...]] = field(default_factory=list)
    chart: ChartData | None = None
    chart_text: str = ""  # the chart's alt text: what it shows, in words


def month_start(key: str) -> date:
    """ "2026-11" as its first day; ValueError for anything else."""
    year, _, month = key.partition("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(key)
    return date(int(year), int(month), 1)


def months_before(key: str, count: int) -> list[str]:
    start = month_start(key)
    keys = []
    year, month = start.year, start.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        keys.append(f"{year:04d}-{month:02d}")
    return list(reversed(keys))


def _month_name(key: str) -> str:
    return f"{month_start(key):%B %Y}"


def _short(key: str) -> str:
    return f"{month_start(key):%b %Y}"


def _minutes(value: int | None) -> str:
    return "-" if value is None else str(value)


def _share(punctuality: Punctuality) -> str:
    share = punctuality.share
    if share is None:
        return "none due"
    return f"{punctuality.on_time} of {punctuality.due} ({round(share * 100)}%)"


def incident_row(f: Figures, tz: ZoneInfo) -> tuple[str, ...]:
    priority = f.highest_priority.label
    if f.declared_priority is not f.highest_priority:
        priority += f" (declared {f.declared_priority.label})"
    return (
        f.reference,
        RESTRICTED_TITLE if f.security else f.title,
        priority,
        f"{f.declared.astimezone(tz):%d %b %H:%M}",
        _minutes(f.minutes_to_first_message),
        _minutes(f.minutes_to_resolve),
        _share(f.punctuality),
    )


def figure_rows(this: Summary, before: Summary) -> list[tuple[str, str, str]]:
    def both(name: str) -> tuple[str, str]:
        return _minutes(getattr(this, name)), _minutes(getattr(before, name))

    return [
        ("Incidents", str(this.incidents), str(before.incidents)),
        ("P1 incidents", str(this.by_priority[Priority.P1]), str(before.by_priority[Priority.P1])),
        ("Median minutes to declare", *both("median_to_declare")),
        ("Median minutes to first message", *both("median_to_first_message")),
        ("Median minutes to resolve", *both("median_to_resolve")),
        ("Updates sent on time", _share(this.punctuality), _share(before.punctuality)),
        ("Messages held for their wording", str(this.holds), str(before.holds)),
        ("Follow-up actions done", str(this.actions_done), str(before.actions_done)),
    ]


def summary_text(name: str, this: Summary, before: Summary) -> str:
    """A few short sentences anyone on the board can read (checked by service/wording.py)."""
    earlier = _count(before.incidents)
    if not this.incidents:
        either = " either" if not before.incidents else ""
        return f"We had no incidents in {name}. We had {earlier} in the 3 months before{either}."
    counts = [
        f"{n} at {p.label}" for p, n in sorted(this.by_priority.items()) if n
    ]  # "1 at P1, 2 at P3"
    said = f"We had {this.incidents} {_plural(this.incidents, 'incident')} in {name}"
    sentences = [f"{said}: {_and(counts)}."]
    if this.median_to_first_message is not None:
        sentences.append(
            # The median, in words a board reads without a statistics course.
            f"For at least half of them, we told people within "
            f"{_within(this.median_to_first_message)} of declaring it."
        )
    if this.punctuality.due:
        sentences.append(
            f"We sent {this.punctuality.on_time} of {this.punctuality.due} updates on time."
        )
    if this.median_to_resolve is not None:
        sentences.append(
            f"For at least half of them, we fixed the problem within "
            f"{_within(this.median_to_resolve)}."
        )
    sentences.append(f"In the 3 months before, we had {earlier}.")
    return " ".join(sentences)


def _count(incidents: int) -> str:
    return f"{incidents} {_plural(incidents, 'incident')}" if incidents else "no incidents"


def _within(minutes: int) -> str:
    return "a minute" if minutes <= 1 else f"{minutes} minutes"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def action_rows(incidents: Sequence[Incident], end: datetime) -> list[tuple[str, ...]]:
    """Every follow-up action not done of the incidents declared before `end`; a security
    incident's named only by its reference (its actions are for its own team)."""
    rows: list[tuple[str, ...]] = []
    for incident in incidents:
        if incident.declared_at >= end:
            continue
        for action in incident.actions:
            if action.done:
                continue
            text = "(restricted)" if incident.security else action.text
            due = f"{action.due:%d %b %Y}" if action.due else "-"
            rows.append((incident.reference, text, action.owner or "nobody yet", due))
    return rows


def chart_data(figures: Sequence[Figures], key: str, tz: ZoneInfo) -> ChartData:
    keys = [*months_before(key, 3), key]
    grouped = by_month(figures, tz)
    counts = {
        p.label: [sum(1 for f in grouped.get(k, []) if f.highest_priority is p) for k in keys]
        for p in Priority
    }
    shares = tuple(summarise(grouped.get(k, [])).punctuality.share for k in keys)
    return ChartData(tuple(_short(k) for k in keys), counts, shares)


def chart_words(data: ChartData) -> str:
    """The chart's alt text: each month's incidents and share of updates on time."""
    parts = []
    for index, month in enumerate(data.months):
        total = sum(counts[index] for counts in data.counts.values())
        share = data.punctuality[index]
        on_time = "no updates due" if share is None else f"{round(share * 100)}% on time"
        parts.append(f"{month}: {total} {_plural(total, 'incident')}, {on_time}")
    return "Chart of incidents by priority and updates sent on time. " + "; ".join(parts) + "."


def board_content(
    figures: Sequence[Figures], incidents: Sequence[Incident], key: str, tz: ZoneInfo
) -> BoardContent:
    grouped = by_month(figures, tz)
    this_month = grouped.get(key, [])
    before = [f for k in months_before(key, 3) for f in grouped.get(k, [])]
    this, earlier = summarise(this_month), summarise(before)
    start = month_start(key)
    after = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    end = datetime.combine(after, datetime.min.time(), tzinfo=tz)
    chart = chart_data(figures, key, tz)
    return BoardContent(
        month=_month_name(key),
        key=key,
        summary=summary_text(_month_name(key), this, earlier),
        incidents=[incident_row(f, tz) for f in this_month],
        figures=figure_rows(this, earlier),
        actions=action_rows(incidents, end),
        chart=chart,
        chart_text=chart_words(chart),
    )
