"""The plain-English check a stakeholder message passes before it goes.

Stakeholders are not engineers (every seed playbook says so). A message with findings is held
back with the suggestions, and the comms lead decides: send it anyway, send the suggested
words, or write it again. A P1 is never held: it goes, and the reply carries the advice.
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
        return Verdict(format_findings(report), _changed(text, report, rebuild))

    def _open(self, command: c.Open) -> Verdict | None:
        title = check(command.title, kind="text", glossary=self.glossary)
        impact = check(command.impact, kind="opened", glossary=self.glossary)
        parts = [(name, r) for name, r in (("Title", title), ("Impact", impact)) if not r.clean]
        if not command.impact.strip():
            parts = [(name, r) for name, r in parts if name == "Title"]
        if not parts:
            return None
        advice = "\n".join(f"{name}: {format_findings(report)}" for name, report in parts)
        new_title = apply_suggestions(command.title, title)
        new_impact = apply_suggestions(command.impact, impact) if command.impact else ""
        if (new_title, new_impact) == (command.title, command.impact):
            return Verdict(advice, None)
        rebuilt = f"open {new_title} {command.priority.label}"
        if new_impact:
            rebuilt += f" impact: {new_impact}"
        if command.services:
            rebuilt += f" services: {', '.join(command.services)}"
        if command.security:
            rebuilt += " security: yes"
        return Verdict(advice, rebuilt)


def _changed(text: str, report: Report, rebuild: Callable[[str], str]) -> str | None:
    new = apply_suggestions(text, report)
    return rebuild(new) if new != text else None
