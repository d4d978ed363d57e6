"""check(): every plain-English rule over one message, as one Report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from comms_assistant.domain.plain_english import rules
from comms_assistant.domain.plain_english.impact import impact_first
from comms_assistant.domain.plain_english.jargon import find_jargon
from comms_assistant.domain.plain_english.lexicon import Entry, Lexicon, forms
from comms_assistant.domain.plain_english.model import Finding, Glossary, Kind, Report, Rule
from comms_assistant.domain.plain_english.text import grade, mask_addresses, paragraphs

# GOV.UK's proofread status templates score 4.4 to 8.9; above 9 most readers slow down.
MAX_GRADE = 9.0
# The formula is noise on a line or two: "Nothing at the moment." scores like a headline.
MIN_WORDS_FOR_GRADE = 30

# Where two findings cover the same words, the first rule here is the one worth reading.
_WORD_RULES = (Rule.JARGON, Rule.WORDS_TO_AVOID, Rule.ACRONYM, Rule.CONTRACTION)
_GLOSSARY_SOURCE = "glossary"


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
    blocks = paragraphs(masked)
    sentences = [s for p in blocks for s in p.sentences]

    # Rules that look at characters get the masked text, so they never see inside an address.
    avoid = rules.words_to_avoid(sentences, text, compiled.avoid)
    jargon = find_jargon(
        sentences,
        masked,
        extra=compiled.jargon,
        allowed=compiled.allowed_words,
        not_rare=[(f.start, f.end) for f in avoid],
    )
    findings = [
        *jargon,
        *avoid,
        *rules.acronyms(sentences, text, compiled.acronyms),
        *rules.contractions(text, masked),
    ]
    findings = _without_allowed(findings, sentences, compiled.allowed)
    findings = _one_per_words(findings)
    findings += rules.passive_voice(sentences, text)
    findings += rules.sentence_length(sentences, text)
    findings += rules.paragraph_length(blocks, text)
    if kind.leads_with_impact:
        spans = [(f.start, f.end) for f in findings if f.rule is Rule.JARGON]
        findings += impact_first(sentences, text, spans)
    score = grade(sentences)
    words = sum(len(s.tokens) for s in sentences)
    if score > MAX_GRADE and words >= MIN_WORDS_FOR_GRADE:
        findings.append(_hard_to_read(text, score))
    findings.sort(key=lambda f: (f.start, list(Rule).index(f.rule)))
    return Report(tuple(findings), score, words, len(sentences), kind)


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


def _without_allowed(findings, sentences, allowed: Lexicon) -> list[Finding]:
    spans = [(m.start, m.end) for s in sentences for m in allowed.find(s.tokens)]
    if not spans:
        return findings
    return [f for f in findings if not any(f.start < e and s < f.end for s, e in spans)]


def _one_per_words(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: _WORD_RULES.index(f.rule)):
        if not any(finding.start < k.end and k.start < finding.end for k in kept):
            kept.append(finding)
    return kept


@lru_cache(maxsize=32)
def _compile(glossary: Glossary) -> _CompiledGlossary:
    allowed = Lexicon(Entry(term, source=_GLOSSARY_SOURCE) for term in glossary.allowed)
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
    return Lexicon(
        Entry(term, tuple(s.strip() for s in advice.split(";") if s.strip()), "", _GLOSSARY_SOURCE)
        for term, advice in pairs
    )
