"""check(): every plain-English rule over one message, as one Report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from comms_assistant.domain.plain_english import language, rules
from comms_assistant.domain.plain_english.acronyms import acronyms
from comms_assistant.domain.plain_english.impact import impact_first
from comms_assistant.domain.plain_english.jargon import find_jargon
from comms_assistant.domain.plain_english.lexicon import GLOSSARY, Entry, Lexicon, forms
from comms_assistant.domain.plain_english.model import Finding, Glossary, Kind, Report, Rule
from comms_assistant.domain.plain_english.spans import Cover, Spans
from comms_assistant.domain.plain_english.text import (
    Paragraph,
    Sentence,
    grade,
    mask_addresses,
    paragraphs,
)

# GOV.UK's proofread status templates score 4.4 to 8.9; above 9 most readers slow down.
MAX_GRADE = 9.0
# The formula is noise on a line or two: "Nothing at the moment." scores like a headline. A
# short message is hard going only when its grade is far above the aim (measured on real
# updates: eval/plain_english).
MIN_WORDS_FOR_GRADE = 50
SHORT_WORDS, SHORT_MAX_GRADE = 30, 15.0

# Where two findings cover the same words, the first rule here is the one worth reading.
_WORD_RULES = (Rule.JARGON, Rule.WORDS_TO_AVOID, Rule.ACRONYM, Rule.CONTRACTION)


@dataclass(frozen=True)
class _CompiledGlossary:
    allowed: Lexicon
    allowed_words: frozenset[str]
    acronyms: frozenset[str]
    avoid: Lexicon | None
    jargon: Lexicon | None


def check(text: str, *, kind: Kind | str = Kind.UPDATE, glossary: Glossary | None = None) -> Report:
    """Check `text` (a stakeholder message, or one part of it) against every rule."""
    kind = Kind(kind)
    compiled = _compile(glossary or Glossary())
    masked = mask_addresses(text)
    every = paragraphs(masked)
    sentences, other = language.split([s for p in every for s in p.sentences])
    blocks = _english_only(every, other)

    named = [(m.start, m.end) for s in sentences for m in compiled.allowed.find(s.tokens)]
    findings = _word_findings(sentences, text, masked, compiled, named)
    findings += rules.passive_voice(sentences, text)
    findings += rules.sentence_length(sentences, text)
    findings += rules.paragraph_length(blocks, text)
    if kind.leads_with_impact:
        spans = [(f.start, f.end) for f in findings if f.rule is Rule.JARGON]
        findings += impact_first(sentences, text, spans, named)
    score = grade(sentences)
    words = sum(len(s.tokens) for s in sentences)
    if _hard_going(score, words):
        findings.append(_hard_to_read(text, score))
    if other:
        findings.append(_not_english(text, other))
    order = {rule: index for index, rule in enumerate(Rule)}
    findings.sort(key=lambda f: (f.start, order[f.rule], f.end, f.text))
    return Report(tuple(findings), score, words, len(sentences), kind)


def _word_findings(
    sentences: list[Sentence],
    text: str,
    masked: str,
    compiled: _CompiledGlossary,
    named: list[tuple[int, int]],
) -> list[Finding]:
    """The rules about single words and phrases, one finding for any words, none on a name
    the glossary allows."""
    # Rules that look at characters get the masked text, so they never see inside an address.
    avoid = rules.words_to_avoid(sentences, text, compiled.avoid)
    jargon = find_jargon(
        sentences,
        masked,
        extra=compiled.jargon,
        allowed=compiled.allowed_words,
        not_rare=Cover([(f.start, f.end) for f in avoid]),
    )
    findings = [
        *jargon,
        *avoid,
        *acronyms(sentences, text, compiled.acronyms),
        *rules.contractions(sentences, text, masked),
    ]
    return _one_per_words(_without_allowed(findings, named))


def _hard_going(score: float, words: int) -> bool:
    return (score > MAX_GRADE and words >= MIN_WORDS_FOR_GRADE) or (
        score > SHORT_MAX_GRADE and words >= SHORT_WORDS
    )


def _english_only(blocks, other: list[Sentence]) -> list[Paragraph]:
    if not other:
        return list(blocks)
    skipped = {s.start for s in other}
    kept = []
    for block in blocks:
        left = tuple(s for s in block.sentences if s.start not in skipped)
        if left:
            kept.append(Paragraph(left[0].start, left[-1].end, left))
    return kept


def _not_english(text: str, other: list[Sentence]) -> Finding:
    first = other[0]
    end = first.end
    for sentence in other[1:]:
        if text[end : sentence.start].strip(" \t\n"):
            break  # English in between: the first Welsh part is what the finding points at
        end = sentence.end
    return Finding(
        Rule.LANGUAGE, first.start, end, text[first.start : end], language.MESSAGE, language.ADVICE
    )


def _hard_to_read(text: str, score: float) -> Finding:
    body = text.strip()
    start = text.index(body) if body else 0
    return Finding(
        Rule.READABILITY,
        start,
        start + len(body),
        body,
        f"This reads at school grade {score:g} (Flesch-Kincaid): aim for {MAX_GRADE:g} or lower.",
        "Use shorter sentences and everyday words.",
    )


def _without_allowed(findings: list[Finding], spans: list[tuple[int, int]]) -> list[Finding]:
    if not spans:
        return findings
    cover = Cover(spans)
    return [f for f in findings if not cover.overlaps(f.start, f.end) or _grown(f, spans)]


def _grown(finding: Finding, spans: list[tuple[int, int]]) -> bool:
    """A name grown into another identifier: "copr-frontend" is a part of Copr, not Copr, so
    allowing "copr" does not allow it. Words beside the name ("Copr builds") are not grown."""
    if any(c.isspace() for c in finding.text):
        return False
    return not any(s <= finding.start and finding.end <= e for s, e in spans)


def _one_per_words(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    taken = Spans()
    priority = {rule: index for index, rule in enumerate(_WORD_RULES)}
    for finding in sorted(findings, key=lambda f: (priority[f.rule], f.start, f.end)):
        if taken.add(finding.start, finding.end):
            kept.append(finding)
    return kept


@lru_cache(maxsize=32)
def _compile(glossary: Glossary) -> _CompiledGlossary:
    allowed = Lexicon(Entry(term, source=GLOSSARY) for term in glossary.allowed)
    single = [t.strip() for t in glossary.allowed if t.strip() and " " not in t.strip()]
    avoid = [(t, s) for t, s, is_jargon in _avoid_terms(glossary) if not is_jargon]
    jargon = [(t, s) for t, s, is_jargon in _avoid_terms(glossary) if is_jargon]
    return _CompiledGlossary(
        allowed=allowed,
        allowed_words=frozenset(f for t in single for f in forms(t)),
        acronyms=frozenset(single),
        avoid=_lexicon(avoid),
        jargon=_lexicon(jargon),
    )


def _avoid_terms(glossary: Glossary):
    for term, suggestion in glossary.avoid:
        yield term, suggestion, False
    for term, suggestion in glossary.jargon:
        yield term, suggestion, True


def _lexicon(pairs: list[tuple[str, str]]) -> Lexicon | None:
    if not pairs:
        return None
    entries = []
    for term, advice in pairs:
        choices = tuple(s.strip() for s in advice.split(";") if s.strip())
        # An organisation's own term has one form: its first suggestion stands in for it.
        drop_in = ("" if choices[0] == "-" else choices[0]) if choices else None
        entries.append(Entry(term, choices, "", GLOSSARY, drop_in))
    return Lexicon(entries)
