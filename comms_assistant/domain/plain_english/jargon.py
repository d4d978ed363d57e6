"""Jargon: technical terms from a list, codes and names by their shape, and rare words.

The list (data/jargon.txt) knows phrases and terms that look like ordinary words ("cache",
"degraded"). Rarity catches the rest: infrastructure words are rare in everyday English
(wordfreq's Zipf scale: "failover" 2.0, "microservice" 1.5, against "server" 4.5, "slow" 4.9),
so an unlisted lower-case word below RARE is reported as one readers may not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from comms_assistant.domain.plain_english.lexicon import Lexicon, forms, shipped, shipped_words
from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.text import Sentence

# Below this Zipf score (about once in a million words) a word is rare enough to explain.
RARE = 3.0
_MIN_LENGTH = 4
# A word made of one of these and a common word is as plain as that word ("reupload").
_PREFIXES = ("re", "un", "pre", "non", "co")

_SHAPES = (
    # HTTP status codes: "HTTP 503", "502s", "500 errors"
    re.compile(
        r"\b(?:HTTP\s+(?:status\s+)?[1-5]\d\d|[45]\d\ds|[45]\d\d\s+(?:errors?|responses?|"
        r"status(?:es)?|codes?))\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),  # an IP address
    re.compile(r"\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+\.(?:com|org|net|io|uk|internal|local)\b"),
    re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),  # snake_case names from code
    re.compile(r"\b[a-z]{2,}[A-Z][A-Za-z0-9]*\b"),  # camelCase names from code
)

LIST_MESSAGE = '"{}" is a technical term that people who are not engineers may not know.'
SHAPE_MESSAGE = '"{}" is a technical code or name: readers will not know what it means.'
RARE_MESSAGE = '"{}" is an unusual word: people who are not engineers may not know it.'
NO_SUGGESTION = "Say what people notice instead, in everyday words."


def find_jargon(
    sentences: Iterable[Sentence],
    text: str,
    *,
    extra: Lexicon | None = None,
    allowed: frozenset[str] = frozenset(),
    not_rare: list[tuple[int, int]] | None = None,
) -> list[Finding]:
    """Jargon findings in `text`; `extra` holds an organisation's own jargon terms.

    Words in `not_rare` spans (already reported under another rule, like "utilise") are not
    reported again for being rare.
    """
    listed = jargon_list()
    findings: list[Finding] = []
    for sentence in sentences:
        covered: list[tuple[int, int]] = []
        matches = (extra.find(sentence.tokens) if extra else []) + listed.find(sentence.tokens)
        for match in matches:
            if _overlaps(match.start, match.end, covered):
                continue
            covered.append((match.start, match.end))
            words = text[match.start : match.end]
            findings.append(
                Finding(
                    Rule.JARGON,
                    match.start,
                    match.end,
                    words,
                    LIST_MESSAGE.format(words),
                    match.entry.suggestion or NO_SUGGESTION,
                    match.entry.replacement(words),
                )
            )
        for shape in _SHAPES:
            for found in shape.finditer(text, sentence.start, sentence.end):
                if not _overlaps(found.start(), found.end(), covered):
                    covered.append(found.span())
                    findings.append(
                        Finding(
                            Rule.JARGON,
                            found.start(),
                            found.end(),
                            found.group(),
                            SHAPE_MESSAGE.format(found.group()),
                            NO_SUGGESTION,
                        )
                    )
        skip = covered + (not_rare or [])
        for token in sentence.tokens:
            if _overlaps(token.start, token.end, skip) or not is_rare(token.text, allowed):
                continue
            findings.append(
                Finding(
                    Rule.JARGON,
                    token.start,
                    token.end,
                    token.text,
                    RARE_MESSAGE.format(token.text),
                    "Use a more common word, or say what people notice instead.",
                )
            )
    return findings


@lru_cache(maxsize=65536)
def is_rare(word: str, allowed: frozenset[str] = frozenset()) -> bool:
    # Capitalised words are names (of people, places, services) far more often than jargon,
    # and upper-case ones are acronyms, which have their own rule.
    if not word[:1].islower() or any(c.isdigit() for c in word):
        return False
    parts = [p for p in re.split(r"[-'’/.&]", word) if p]
    return any(_rare_part(p.lower(), allowed) for p in parts)


@lru_cache(maxsize=65536)
def _rare_part(part: str, allowed: frozenset[str]) -> bool:
    if len(part) < _MIN_LENGTH or not part.isalpha():
        return False
    variants = forms(part)
    if variants & allowed or variants & plain_words():
        return False
    if zipf(variants) >= RARE:
        return False
    for prefix in _PREFIXES:
        rest = part.removeprefix(prefix)
        plain_rest = len(rest) >= _MIN_LENGTH and rest not in jargon_list()
        if rest != part and plain_rest and zipf(forms(rest)) >= RARE:
            return False
    return True


def zipf(variants: Iterable[str]) -> float:
    return max(_zipf(v) for v in variants)


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # loaded on first use: it reads its data file then

    return zipf_frequency(word, "en")


def jargon_list() -> Lexicon:
    return shipped("jargon.txt")


@lru_cache(maxsize=1)
def plain_words() -> frozenset[str]:
    return frozenset(w.lower() for w in shipped_words("plain_words.txt"))


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)
