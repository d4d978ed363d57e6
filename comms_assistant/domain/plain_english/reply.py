"""What a person sees: a short list of findings, and the text with the suggestions applied."""

from __future__ import annotations

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
    Rule.LANGUAGE: "Not English",
}
_QUOTE_LIMIT = 60


def format_findings(report: Report) -> str:
    """A plain reply: what stops readers understanding (which holds a message back), then
    advice (which never does); one line when there is nothing to say."""
    if report.clean:
        return "This reads well: no plain English problems found."
    count = len(report.findings)
    lines = [f"{count} thing{'s' if count > 1 else ''} to check before you send."]
    number = 0
    for heading, findings in (
        (HOLDS, report.blocking),
        (ADVICE, report.advice),
    ):
        if not findings:
            continue
        lines.append(heading)
        for finding in findings:
            number += 1
            line = (
                f'{number}. {_LABELS[finding.rule]}: "{_quote(finding.text)}" – {finding.message}'
            )
            if finding.suggestion:
                line += f" {finding.suggestion}"
            lines.append(line)
    return "\n".join(lines)


HOLDS = "Readers may not understand this (it holds a message back until you decide):"
ADVICE = "Advice (it does not hold a message back):"


def apply_suggestions(text: str, report: Report) -> str:
    """`text` with every drop-in replacement made; findings a person must rewrite are left.

    Built in one pass from the start, so a long text costs no more than its length.
    """
    changes = sorted(
        (f for f in report.findings if f.replacement is not None),
        key=lambda f: (f.start, f.end),
    )
    pieces: list[str] = []
    position = 0
    for finding in changes:
        if finding.start < position or text[finding.start : finding.end] != finding.text:
            continue  # overlaps one made already, or the text has changed since the check
        words = finding.replacement or ""
        before = text[position : finding.start]
        following = text[finding.end : finding.end + 1]
        if not words and before.endswith((" ", "\t")) and (following in " \t.,;:!?"):
            before = before[:-1]  # a word left out takes a space with it
        pieces.append(before)
        pieces.append(words)
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_LIMIT else flat[: _QUOTE_LIMIT - 1].rstrip() + "…"
