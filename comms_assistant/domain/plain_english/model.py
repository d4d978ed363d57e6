"""What the plain-English checker reports: findings with a span, a message and a suggestion."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Rule(StrEnum):
    JARGON = "jargon"
    WORDS_TO_AVOID = "words-to-avoid"
    ACRONYM = "acronym"
    CONTRACTION = "contraction"
    PASSIVE_VOICE = "passive-voice"
    SENTENCE_LENGTH = "sentence-length"
    PARAGRAPH_LENGTH = "paragraph-length"
    IMPACT_FIRST = "impact-first"
    READABILITY = "readability"
    LANGUAGE = "language"  # a part in another language, which was not checked

    @property
    def blocking(self) -> bool:
        """Whether a finding of this rule stops a reader who is not an engineer understanding.

        Only these hold a message back; the rest is advice, shown but never holding it.
        """
        return self in _BLOCKING


_BLOCKING = frozenset({Rule.JARGON, Rule.ACRONYM, Rule.IMPACT_FIRST})


class Kind(StrEnum):
    """What the text is, which decides the checks that apply to it."""

    UPDATE = "update"
    HOLDING = "holding"  # "no change yet": the impact was given in the messages before it
    OPENED = "opened"
    PRIORITY = "priority"
    RESOLVED = "resolved"
    CATCH_UP = "catch_up"  # to people told late: what happened so far
    MAJOR_INCIDENT = "major_incident"  # the central team's Major Incident notification
    REVIEW = "review"
    TEXT = "text"

    @property
    def leads_with_impact(self) -> bool:
        # A resolved message leads with "it is fixed" and a review with what happened: only
        # messages sent while people are affected must open with who is affected.
        return self in (Kind.UPDATE, Kind.OPENED, Kind.PRIORITY, Kind.CATCH_UP, Kind.MAJOR_INCIDENT)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    start: int
    end: int
    text: str
    message: str
    suggestion: str = ""
    # Words that can stand in for text[start:end] as they are; None when a person must rewrite.
    replacement: str | None = None

    @property
    def blocking(self) -> bool:
        return self.rule.blocking

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule.value,
            "blocking": self.blocking,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "suggestion": self.suggestion,
            "replacement": self.replacement,
        }


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    grade: float
    words: int
    sentences: int
    kind: Kind = Kind.UPDATE

    @property
    def clean(self) -> bool:
        """Nothing to report at all, not even advice."""
        return not self.findings

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """Findings that stop a reader understanding: these hold a message back."""
        return tuple(f for f in self.findings if f.blocking)

    @property
    def advice(self) -> tuple[Finding, ...]:
        """Findings worth a look that never hold a message back on their own."""
        return tuple(f for f in self.findings if not f.blocking)

    @property
    def holds(self) -> bool:
        """Whether a non-urgent message with these words is held back for a person to decide."""
        return any(f.blocking for f in self.findings)

    def by_rule(self, rule: Rule) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule is rule)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "clean": self.clean,
            "holds": self.holds,
            "grade": self.grade,
            "words": self.words,
            "sentences": self.sentences,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Glossary:
    """An organisation's own words: terms its readers know, and extra terms to avoid.

    `avoid` (reported as words to avoid) and `jargon` (reported as jargon) pair a term with its
    suggested plain words. Frozen and hashable, so its compiled form is cached per glossary.
    """

    allowed: tuple[str, ...] = ()
    avoid: tuple[tuple[str, str], ...] = field(default=())
    jargon: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def of(
        cls,
        allowed: list[str] | tuple[str, ...] = (),
        avoid: dict[str, str] | None = None,
        jargon: dict[str, str] | None = None,
    ) -> Glossary:
        """`avoid` and `jargon` map a term to its suggestion: "a; b" for choices, "" for none."""
        return cls(tuple(allowed), tuple((avoid or {}).items()), tuple((jargon or {}).items()))
