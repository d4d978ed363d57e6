"""What a person sees: a short list of findings, and the text with the suggestions applied."""

from __future__ import annotations

import re

from comms_assistant.domain.plain_english.model import Report, Rule

_LABELS = {
    Rule.JARGON: "Jargon",
    Rule.WORDS_TO_AVOID: "Word to avoid",
    Rule.ACRONYM: "Acronym",
    Rule.CONTRACTION: "Contraction",
    Rule.PASSIVE_VOICE: "Passive voice",
    Rule.SENTENCE_LENGTH: "Long sentence",
    Rule.PARAGRAPH_LENGTH: "Long paragraph",
    Rule.IMPACT_FIRST: "Impact first",
    Rule.READABILITY: "Hard to read",
}
_QUOTE_LIMIT = 60


def format_findings(report: Report) -> str:
    """A plain reply listing each finding with its suggestion; one line when there are none."""
    if report.clean:
        return "This reads well: no plain English problems found."
    count = len(report.findings)
    lines = [f"{count} thing{'s' if count > 1 else ''} to check before you send:"]
    for number, finding in enumerate(report.findings, 1):
        line = f'{number}. {_LABELS[finding.rule]}: "{_quote(finding.text)}" – {finding.message}'
        if finding.suggestion:
            line += f" {finding.suggestion}"
        lines.append(line)
    return "\n".join(lines)


def apply_suggestions(text: str, report: Report) -> str:
    """`text` with every drop-in replacement made; findings a person must rewrite are left."""
    replaced = text
    changes = sorted(
        (f for f in report.findings if f.replacement is not None),
        key=lambda f: f.start,
        reverse=True,  # from the end, so earlier offsets stay right
    )
    taken_from = len(text) + 1
    for finding in changes:
        if finding.end > taken_from or replaced[finding.start : finding.end] != finding.text:
            continue
        words = finding.replacement or ""
        if _starts_sentence(text, finding.start):
            words = words[:1].upper() + words[1:]
        replaced = replaced[: finding.start] + words + replaced[finding.end :]
        taken_from = finding.start
    # A word left out leaves two spaces, or a space before a full stop.
    replaced = re.sub(r"[ \t]{2,}", " ", replaced)
    replaced = re.sub(r"[ \t]+([.,;:!?])", r"\1", replaced)
    return replaced


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n"


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_LIMIT else flat[: _QUOTE_LIMIT - 1].rstrip() + "…"
