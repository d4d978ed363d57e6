"""The page's Calendars and Planner sections: events (subject, start, attendees, Teams link)
and tasks (title, assignee, due, done), as tables with captions and column headers.

Subjects, titles and names are user content: every piece is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import calendar_store, calendar_times, users
from comms_assistant.sandbox.planner_store import Planner
from comms_assistant.sandbox.routing import context


def _table(caption: str, heads: tuple[str, ...], rows: list[str]) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _when(value: dict[str, Any]) -> str:
    return calendar_times.moment_of(value).strftime("%Y-%m-%d %H:%M UTC")


def _join_link(event: dict[str, Any], subject: str) -> str:
    url = (event.get("onlineMeeting") or {}).get("joinUrl")
    if not url:
        return "No Teams link"
    return f'<a href="{escape(url)}">Join “{escape(subject)}” in Teams</a>'


def _event_row(event: dict[str, Any]) -> str:
    subject = str(event.get("subject") or "(no subject)")
    people = [a["emailAddress"] for a in event["attendees"]]
    attendees = ", ".join(p.get("name") or p["address"] for p in people) or "none"
    status = "Cancelled" if event.get("isCancelled") else "Booked"
    told = ", ".join(n["kind"] for n in event.get(calendar_store.NOTICES) or []) or "nothing"
    cells = (escape(subject), _when(event["start"]), escape(attendees), _join_link(event, subject))
    more = (status, escape(told))
    return "<tr>" + "".join(f"<td>{c}</td>" for c in (*cells, *more)) + "</tr>"


def calendars_section(request: web.Request) -> str:
    parts = ["<h2>Calendars</h2>"]
    for mailbox, events in calendar_store.all_calendars(context(request).state):
        heads = ("Subject", "Start", "Attendees", "Teams meeting", "Status", "Attendees told")
        rows = [_event_row(e) for e in events]
        parts.append(f"<h3>{escape(mailbox)}</h3>")
        parts.append(_table(f"Events in the calendar of {mailbox}", heads, rows))
    return "".join(parts) if len(parts) > 1 else parts[0] + "<p>No events yet.</p>"


def _task_row(task: dict[str, Any], names: dict[str, str]) -> str:
    assigned = ", ".join(names.get(uid.lower(), uid) for uid in task.get("assignments") or {})
    due = str(task.get("dueDateTime") or "")[:10] or "no due date"
    done = (
        f"Yes, {str(task['completedDateTime'])[:10]}"
        if task.get("percentComplete") == 100
        else f"No ({task.get('percentComplete', 0)}%)"
    )
    title, who = task.get("title") or "(no title)", assigned or "nobody"
    cells = (escape(title), escape(who), escape(due), escape(done))
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def planner_section(request: web.Request) -> str:
    store = Planner(context(request).state)
    names = {p.id.lower(): p.name for p in users.everyone(request)}
    parts = ["<h2>Planner</h2>"]
    for plan in store.plans():
        tasks = store.listed("tasks", plan["id"])
        parts.append(f"<h3>{escape(plan['title'])}</h3>")
        if not tasks:
            parts.append("<p>No tasks yet.</p>")
            continue
        tasks.sort(key=lambda t: str(t.get("createdDateTime")))
        rows = [_task_row(t, names) for t in tasks]
        heads = ("Task", "Assigned to", "Due", "Done")
        parts.append(_table(f"Tasks in the plan {plan['title']}", heads, rows))
    return "".join(parts)


_REGISTER_SHOWN = (
    ("Reference", "Reference"),
    ("IncidentTitle", "Incident"),
    ("Status", "Status"),
    ("HighestPriority", "Highest priority"),
    ("Declared", "Declared"),
    ("MinutesToFirstMessage", "Minutes to first message"),
    ("MinutesToResolve", "Minutes to resolve"),
    ("UpdatesDue", "Updates due"),
    ("UpdatesLate", "Updates late"),
)


def register_section(request: web.Request) -> str:
    """The SharePoint lists (the incident register): one table per list, an item a row."""
    from comms_assistant.sandbox.lists import Lists

    state = context(request).state
    store = Lists(state.root, state.tmp_dir)
    parts = ["<h2>SharePoint lists</h2>"]
    for found in store.all():
        folder, _ = store.find(found["id"])
        rows = []
        for item in store.items(folder):
            fields = item["fields"]
            cells = "".join(
                f"<td>{escape(_shown(fields.get(key)))}</td>" for key, _ in _REGISTER_SHOWN
            )
            rows.append(f"<tr>{cells}</tr>")
        heads = tuple(escape(shown) for _, shown in _REGISTER_SHOWN)
        parts.append(_table(str(found["displayName"]), heads, rows))
    return "".join(parts) if len(parts) > 1 else parts[0] + "<p>None yet.</p>"


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
