"""The plain-English check a stakeholder message passes before it goes.

Stakeholders are not engineers (every seed playbook says so). A message with words readers may
not understand (jargon, unexplained codes, cause before impact) is held back with the
suggestions, and the comms lead decides: send it anyway, send the suggested words (shown once
more, checked again, before they go), or write it again. Advice alone (style words, long
sentences, the passive) never holds a message: it goes, and the reply carries the advice. A P1
is never held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from comms_assistant.domain import commands as c
from comms_assistant.domain.plain_english import (
    Glossary,
    Report,
    apply_suggestions,
    check,
    format_findings,
)


@dataclass(frozen=True)
class Verdict:
    advice: str  # the findings, for a person
    suggested: str | None  # the command with the suggested words, when any were suggested
    holds: bool = True  # something readers may not understand: a non-urgent message waits
    # What the check still finds in the suggested words (they are checked again), if anything.
    left: str | None = None


@dataclass(frozen=True)
class WordingCheck:
    glossary: Glossary

    def review(self, command: c.Command) -> Verdict | None:
        """None when the command sends nothing to check or its words read well."""
        match command:
            case c.Update(text=text):
                return self._one(text, "update", lambda new: f"update {new}")
            case c.Holding(text=text) if text:
                return self._one(text, "holding", lambda new: f"holding {new}")
            case c.Close(resolution=resolution):
                return self._one(resolution, "resolved", lambda new: f"close {new}")
            case c.Open():
                return self._open(command)
        return None

    def review_introduction(self, text: str) -> str | None:
        # The draft fills a box in Word in which each line is a paragraph of its own.
        lines = "\n\n".join(line for line in text.splitlines() if line.strip())
        report = check(lines, kind="review", glossary=self.glossary)
        return None if report.clean else format_findings(report)

    def _one(self, text: str, kind: str, rebuild: Callable[[str], str]) -> Verdict | None:
        report = check(text, kind=kind, glossary=self.glossary)
        if report.clean:
            return None
        new = apply_suggestions(text, report)
        if new == text:
            return Verdict(format_findings(report), None, report.holds)
        again = check(new, kind=kind, glossary=self.glossary)
        left = None if again.clean else format_findings(again)
        return Verdict(format_findings(report), rebuild(new), report.holds, left)

    def _open(self, command: c.Open) -> Verdict | None:
        title = check(command.title, kind="text", glossary=self.glossary)
        impact = check(command.impact, kind="opened", glossary=self.glossary)
        parts = _open_parts(title, impact, has_impact=bool(command.impact.strip()))
        if not parts:
            return None
        advice = _parts_advice(parts)
        holds = any(report.holds for _, report in parts)
        new_title = apply_suggestions(command.title, title)
        new_impact = apply_suggestions(command.impact, impact) if command.impact else ""
        if (new_title, new_impact) == (command.title, command.impact):
            return Verdict(advice, None, holds)
        again = _open_parts(
            check(new_title, kind="text", glossary=self.glossary),
            check(new_impact, kind="opened", glossary=self.glossary),
            has_impact=bool(new_impact.strip()),
        )
        left = _parts_advice(again) or None
        return Verdict(advice, _open_command(command, new_title, new_impact), holds, left)


def _open_parts(title: Report, impact: Report, *, has_impact: bool) -> list[tuple[str, Report]]:
    """The parts of an open with something to say about them; an empty impact is not read."""
    return [
        (name, report)
        for name, report in (("Title", title), ("Impact", impact))
        if not report.clean and (name == "Title" or has_impact)
    ]


def _parts_advice(parts: list[tuple[str, Report]]) -> str:
    return "\n".join(f"{name}: {format_findings(report)}" for name, report in parts)


def _open_command(command: c.Open, title: str, impact: str) -> str:
    """The open command again, with the new title and impact."""
    rebuilt = f"open {title} {command.priority.label}"
    if impact:
        rebuilt += f" impact: {impact}"
    if command.services:
        rebuilt += f" services: {', '.join(command.services)}"
    if command.security:
        rebuilt += " security: yes"
    return rebuilt


def held_text(verdict: Verdict) -> str:
    """The reply to a message held back: why, and the ways on."""
    lines = ["Not sent yet. " + verdict.advice, "", "Send it as written: 'send anyway'."]
    if verdict.suggested:
        lines.append(
            "See it with the suggested words, checked again, before it goes: "
            f"'send suggested' ({verdict.suggested})"
        )
    lines.append("Or send the command again with new words.")
    return "\n".join(lines)


def final_words(text: str, verdict: Verdict | None) -> str:
    """The reply to 'send suggested': the command with the suggested words, as it would go,
    what checking them again finds, and the word that sends them."""
    found = (
        "Checked again, these words still need a look. " + verdict.advice
        if verdict is not None
        else "Checked again: nothing more to change."
    )
    return "\n".join(
        [
            "Not sent yet. With the suggested words it reads:",
            "",
            text,
            "",
            found,
            "",
            f"Send these words: '{c.CONFIRM_WORDS}'.",
            "Send it as you wrote it: 'send anyway'. Or send the command again with new words.",
        ]
    )
