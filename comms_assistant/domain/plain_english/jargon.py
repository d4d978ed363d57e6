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

from comms_assistant.domain.plain_english.acronyms import looks_like_acronym
from comms_assistant.domain.plain_english.frequency import zipf
from comms_assistant.domain.plain_english.lexicon import (
    GLOSSARY,
    Lexicon,
    Match,
    forms,
    shipped,
    shipped_words,
)
from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.rewrite import fit
from comms_assistant.domain.plain_english.rewrite import tried as _tried
from comms_assistant.domain.plain_english.shapes import known_name, shape_hits
from comms_assistant.domain.plain_english.spans import Cover, Spans
from comms_assistant.domain.plain_english.text import Sentence, Token

# Below this Zipf score (about once in a million words) a word is rare enough to explain.
RARE = 3.0
_MIN_LENGTH = 4
# Longer than any word in an English dictionary ("antidisestablishmentarianism" has 28 letters).
_LONGEST_WORD = 30
# A word made of one of these and a common word is as plain as that word ("reupload").
_PREFIXES = ("re", "un", "pre", "non", "co")

LIST_MESSAGE = '"{}" is a technical term that people who are not engineers may not know.'
SHAPE_MESSAGE = '"{}" is a technical code or name: readers will not know what it means.'
RARE_MESSAGE = '"{}" is an unusual word: people who are not engineers may not know it.'
CONTEXT_MESSAGE = '"{}" is used in its technical sense here: readers may not know what it means.'
NO_SUGGESTION = "Say what people notice instead, in everyday words."
# Everyday words that are jargon beside other jargon ("VM instances"), but not in an idiom...
_TECHNICAL_IN_CONTEXT = frozenset(
    {
        "instance",
        "instances",
        "flag",
        "flags",
        "hung",
        "builder",
        "builders",
        "worker",
        "workers",
        "host",
        "hosts",
        "runner",
        "runners",
    }
)
# ... and people: "care workers", "event hosts", "house builders".
_IDIOMS = re.compile(
    r"\b(?:for|in (?:this|that|some|many|most|such|rare|these|those|each|all) )instances?\b|"
    r"\b(?:care|health|healthcare|social|key|support|frontline|front-line|case|youth|council|"
    r"agency|office|shift|field|charity|community|temporary|seasonal|nhs|fellow|centre|"
    r"center|site|farm|rail|postal|delivery) workers?\b|"
    r"\b(?:event|party|tv|radio|show|podcast|meeting|webinar) hosts?\b|"
    r"\b(?:house|home|master|local) builders?\b|\b(?:marathon|race|fun|front) runners?\b",
    re.IGNORECASE,
)


def find_jargon(
    sentences: Iterable[Sentence],
    text: str,
    *,
    extra: Lexicon | None = None,
    allowed: frozenset[str] = frozenset(),
    not_rare: Cover | None = None,
) -> list[Finding]:
    """Jargon findings in `text`; `extra` holds an organisation's own jargon terms.

    Words in `not_rare` spans (already reported under another rule, like "utilise") are not
    reported again for being rare.
    """
    listed = jargon_list()
    findings: list[Finding] = []
    sentences = list(sentences)
    shapes = shape_hits(text, sentences)
    for sentence in sentences:
        covered = Spans()
        matches = (extra.find(sentence.tokens) if extra else []) + listed.find(sentence.tokens)
        found = _listed(matches, sentence, text, covered)
        found += _shaped(shapes.get(sentence.start, ()), covered)
        rare, context = _rare_words(sentence, covered, allowed, not_rare)
        found += rare
        if found:
            found += _in_context(context, text, sentence, allowed)
        findings += found
    return findings


def _listed(
    matches: Iterable[Match], sentence: Sentence, text: str, covered: Spans
) -> list[Finding]:
    """Listed terms (the shipped list and the glossary's), each with its drop-in if one fits."""
    found: list[Finding] = []
    for match in matches:
        if _spelled_out(text, match.end) or not covered.add(match.start, match.end):
            continue
        words = text[match.start : match.end]
        # All capitals ("DNS", "AWS"): an acronym, reported by that rule, not here.
        if looks_like_acronym(sentence.tokens[match.first].text):
            continue

        fitted = fit(
            text,
            sentence.tokens,
            match.first,
            match.last,
            match.entry.replacement(words),
            match.entry.term,
            facts=True,
            own=match.entry.source == GLOSSARY,
        )
        start, end = (fitted.start, fitted.end) if fitted else (match.start, match.end)
        found.append(
            Finding(
                Rule.JARGON,
                start,
                end,
                text[start:end],
                LIST_MESSAGE.format(words),
                _tried(fitted) or match.entry.suggestion or NO_SUGGESTION,
                fitted.replacement if fitted else None,
            )
        )
    return found


def _shaped(hits: Iterable[tuple[int, int, str]], covered: Spans) -> list[Finding]:
    found: list[Finding] = []
    for start, end, words in hits:
        if known_name(words) or not covered.add(start, end):
            continue
        message = SHAPE_MESSAGE.format(words)
        found.append(Finding(Rule.JARGON, start, end, words, message, NO_SUGGESTION))
    return found


def _rare_words(
    sentence: Sentence, covered: Spans, allowed: frozenset[str], not_rare: Cover | None
) -> tuple[list[Finding], list[Token]]:
    """Rare words not already reported, and the everyday words that are jargon beside them."""
    found: list[Finding] = []
    context: list[Token] = []
    for token in sentence.tokens:
        if covered.overlaps(token.start, token.end) or (
            not_rare is not None and not_rare.overlaps(token.start, token.end)
        ):
            continue
        if token.lower in _TECHNICAL_IN_CONTEXT:
            context.append(token)
        elif is_rare(token.text, allowed):
            found.append(
                Finding(
                    Rule.JARGON,
                    token.start,
                    token.end,
                    token.text,
                    RARE_MESSAGE.format(token.text),
                    "Use a more common word, or say what people notice instead.",
                )
            )
    return found, context


_SPELLED_OUT = re.compile(r"\s*\(\s*[A-Z][A-Za-z]*[A-Z]s?\s*\)")


def _spelled_out(text: str, end: int) -> bool:
    """The words an acronym in brackets stands for: "Content Delivery Network (CDN)"."""
    return bool(_SPELLED_OUT.match(text, end, min(len(text), end + 20)))


def _in_context(
    tokens: list[Token], text: str, sentence: Sentence, allowed: frozenset[str]
) -> list[Finding]:
    idioms = [m.span() for m in _IDIOMS.finditer(text, sentence.start, sentence.end)]
    return [
        Finding(
            Rule.JARGON,
            t.start,
            t.end,
            t.text,
            CONTEXT_MESSAGE.format(t.text),
            NO_SUGGESTION,
        )
        for t in tokens
        if t.lower not in allowed and not any(s <= t.start < e for s, e in idioms)
    ]


@lru_cache(maxsize=65536)
def is_rare(word: str, allowed: frozenset[str] = frozenset()) -> bool:
    # Capitalised words are names (of people, places, services) far more often than jargon,
    # and upper-case ones are acronyms, which have their own rule.
    if not word[:1].islower() or any(c.isdigit() for c in word):
        return False
    word = _NEGATIVE.sub("", word)  # "couldn't": a contraction, which has its own rule
    parts = [p for p in re.split(r"[-'’/.&]", word) if p]
    if len(parts) > 1 and any(p.lower() in jargon_list() for p in parts[1:]):
        return True  # "copr-frontend": a technical part makes the whole name technical
    if "-" in word and zipf(forms(word.replace("-", "").lower())) >= RARE:
        return False  # "co-ordinate" is "coordinate" spelt the British way
    return any(_rare_part(p.lower(), allowed) for p in parts)


_NEGATIVE = re.compile(r"n['’]t$")


@lru_cache(maxsize=65536)
def _rare_part(part: str, allowed: frozenset[str]) -> bool:
    if len(part) < _MIN_LENGTH or not part.isalpha():
        return False
    variants = forms(part)
    if variants & allowed or variants & plain_words():
        return False
    if zipf(variants) >= RARE:
        return False
    if len(part) > _LONGEST_WORD:
        return True  # no dictionary word, compound or slip is this long; looking costs n²
    for prefix in _PREFIXES:
        rest = part.removeprefix(prefix)
        plain_rest = len(rest) >= _MIN_LENGTH and rest not in jargon_list()
        if rest != part and plain_rest and zipf(forms(rest)) >= RARE:
            return False
    return not _compound(part, allowed) and not _misspelt(part)


# Two everyday words run together ("buildsystem", "bugfixes") read as those words.
COMMON = 4.0
_MIN_PART = 3


def _compound(word: str, allowed: frozenset[str]) -> bool:
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        if all(_everyday(p, allowed) for p in (head, tail)):
            return True
    return False


def _everyday(part: str, allowed: frozenset[str]) -> bool:
    variants = forms(part)
    return bool(variants & allowed) or (part not in jargon_list() and zipf(variants) >= COMMON)


# A word one letter away from a common one is a slip of the keyboard ("accellerated",
# "underlaying"), which a reader reads as the word meant: not jargon.
_TYPO_MIN_LENGTH = 6
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _misspelt(word: str) -> bool:
    if len(word) < _TYPO_MIN_LENGTH:
        return False
    known = _frequencies()
    floor = 10 ** (RARE - 9)  # a Zipf score as a frequency: the word meant is not rare
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        candidates = [head + c + tail for c in _LETTERS]  # a letter left out
        if tail:
            candidates.append(head + tail[1:])  # a letter too many
            candidates += [head + c + tail[1:] for c in _LETTERS if c != tail[0]]
        if len(tail) > 1:
            candidates.append(head + tail[1] + tail[0] + tail[2:])  # two letters swapped
        if any(known.get(c, 0.0) >= floor for c in candidates):
            return True
    return False


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


def jargon_list() -> Lexicon:
    return shipped("jargon.txt")


@lru_cache(maxsize=1)
def plain_words() -> frozenset[str]:
    return frozenset(w.lower() for w in shipped_words("plain_words.txt"))
