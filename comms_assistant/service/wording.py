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
                return self._one(text, "update", lambda new: _update_again(command, new)) or (
                    self._public(command)
                )
            case c.Holding(text=text) if text:
                return self._one(text, "holding", lambda new: f"holding {new}")
            case c.Close(resolution=resolution):
                public = f" public: {command.public}" if command.public is not None else ""
                return self._one(resolution, "resolved", lambda new: f"close {new}{public}")
            case c.Publish(text=text) if text:
                # The public's words: checked like any message's.
                return self._one(text, "update", lambda new: f"publish {new}")
            case c.Open():
                return self._open(command)
        return None

    def _public(self, command: c.Update) -> Verdict | None:
        """An update's own words for the public status page, checked like the update's."""
        if not command.public:
            return None
        return self._one(
            command.public, "update", lambda new: _update_again(command, command.text, new)
        )

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
        parts = _open_parts(title, impact, command.impact)
        if not parts:
            return None
        advice = _findings_text(parts)
        holds = any(report.holds for _, report in parts)
        new_title = apply_suggestions(command.title, title)
        new_impact = apply_suggestions(command.impact, impact) if command.impact else ""
        if (new_title, new_impact) == (command.title, command.impact):
            return Verdict(advice, None, holds)
        again = _open_parts(
            check(new_title, kind="text", glossary=self.glossary),
            check(new_impact, kind="opened", glossary=self.glossary),
            new_impact,
        )
        left = _findings_text(again) or None
        return Verdict(advice, _open_again(command, new_title, new_impact), holds, left)


def _open_parts(title: Report, impact: Report, impact_text: str) -> list[tuple[str, Report]]:
    """The parts of an `open` with findings; an impact left out has none."""
    parts = [("Title", title)] if not title.clean else []
    if impact_text.strip() and not impact.clean:
        parts.append(("Impact", impact))
    return parts


def _findings_text(parts: list[tuple[str, Report]]) -> str:
    return "\n".join(f"{name}: {format_findings(report)}" for name, report in parts)


def _open_again(command: c.Open, title: str, impact: str) -> str:
    """The `open` command again, in the suggested words."""
    rebuilt = f"open {title} {command.priority.label}"
    if impact:
        rebuilt += f" impact: {impact}"
    if command.services:
        rebuilt += f" services: {', '.join(command.services)}"
    if command.security:
        rebuilt += " security: yes"
    if command.advice:
        rebuilt += f" do: {command.advice}"
    if command.lead is not None:
        rebuilt += f" lead: {command.lead or 'none'}"
    if command.public:
        rebuilt += " public: yes"
    return rebuilt


def _update_again(command: c.Update, text: str, public: str | None = None) -> str:
    """The `update` again in the suggested words, with its `impact:`, `do:` and `public:` as
    they were: sending the suggestion must not drop what the person said about who is affected
    or what the public status page shows. `public`: other public words."""
    rebuilt = f"update {text}"
    if command.impact is not None:
        rebuilt += f" impact: {command.impact}"
    if command.advice is not None:
        rebuilt += f" do: {command.advice}"
    public = command.public if public is None else public
    if public is not None:
        rebuilt += f" public: {public or 'no'}"
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
