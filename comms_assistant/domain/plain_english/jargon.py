"""Jargon: technical terms from a list, codes and names by their shape, and rare words.

The list (data/jargon.txt) knows phrases and terms that look like ordinary words ("cache",
"degraded"). Rarity catches the rest: infrastructure words are rare in everyday English
(wordfreq's Zipf scale: "failover" 2.0, "microservice" 1.5, against "server" 4.5, "slow" 4.9),
so an unlisted lower-case word below RARE is reported as one readers may not know.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from comms_assistant.domain.plain_english.acronyms import looks_like_acronym
from comms_assistant.domain.plain_english.frequency import zipf
from comms_assistant.domain.plain_english.lexicon import (
    GLOSSARY,
    Lexicon,
    forms,
    shipped,
    shipped_words,
    word_set,
)
from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.rewrite import fit
from comms_assistant.domain.plain_english.rewrite import tried as _tried
from comms_assistant.domain.plain_english.spans import Cover, Spans
from comms_assistant.domain.plain_english.text import Sentence, Token

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
    # Cloud regions and zones: "us-central1-b", "eu-west-2a", "europe-west2", "eastus2"
    re.compile(
        r"\b(?:(?:us|eu|ap|sa|ca|me|af|il|mx|uk|in|jp|kr|asia|europe|northamerica|southamerica|"
        r"australia|africa)-[a-z]+-?\d{1,2}[a-z]?(?:-[a-z])?|(?:east|west|north|south|central|"
        r"southeast|northeast)(?:us|europe|uk|asia|india|japan|australia)\d?|uk(?:south|west))\b"
    ),
    # Versions: "v2.3.1", "1.20.9-gke.2100" (not a date such as 22.02.2026)
    re.compile(
        r"\b(?:v\d+(?:\.\d+)+|(?!\d{1,2}\.\d{1,2}\.\d{2,4}\b)\d+\.\d+\.\d+)"
        r"(?:[-+][0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?\b"
    ),
    re.compile(r"\b0x[0-9A-Fa-f]{2,}\b"),  # a hexadecimal error code: "0x80070005"
    # Internal host names: "db-prod-03.internal", "api-2.eu.example.com"
    re.compile(
        r"\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|corp|intranet|svc)\b|"
        r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+(?:\.[a-z0-9-]+)+\b"
    ),
    # Names from code: snake_case and ERR_CONNECTION_RESET, com.example.Foo, camelCase
    re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b"),
    re.compile(r"\b[a-z][a-z0-9_]+(?:\.[A-Za-z_][A-Za-z0-9_]+)*\.[A-Za-z_]*[A-Z_][A-Za-z0-9_]*\b"),
    re.compile(r"\b[a-z]{2,}[A-Z][A-Za-z0-9]*\b"),
    # Exceptions and CamelCase names: "NullPointerException", "TimeoutError", "CosmosDB"
    re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Exception|Error|Fault|BackOff)\b"),
    re.compile(
        r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b|\b[A-Z][a-z]{3,}(?:[A-Z][a-z0-9]+|[A-Z]{2,})\b"
    ),
    # kebab-case names with a number: "db-prod-03", "gke-pool-2"
    re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}\b(?<=\d)|\b[a-z]+\d+[a-z]*-[a-z0-9-]+\b"),
)

LIST_MESSAGE = '"{}" is a technical term that people who are not engineers may not know.'
SHAPE_MESSAGE = '"{}" is a technical code or name: readers will not know what it means.'
RARE_MESSAGE = '"{}" is an unusual word: people who are not engineers may not know it.'
CONTEXT_MESSAGE = '"{}" is used in its technical sense here: readers may not know what it means.'
NO_SUGGESTION = "Say what people notice instead, in everyday words."
# Everyday words that are jargon beside other jargon ("VM instances"), but not in an idiom.
_TECHNICAL_IN_CONTEXT = frozenset({"instance", "instances", "flag", "flags", "hung"})
_IDIOMS = re.compile(
    r"\b(?:for|in (?:this|that|some|many|most|such|rare|these|those|each|all) )instances?\b",
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
    shapes = _shape_hits(text, sentences)
    for sentence in sentences:
        covered = Spans()
        found: list[Finding] = []
        matches = (extra.find(sentence.tokens) if extra else []) + listed.find(sentence.tokens)
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
        for start, end, words in shapes.get(sentence.start, ()):
            if _known_name(words) or not covered.add(start, end):
                continue
            message = SHAPE_MESSAGE.format(words)
            found.append(Finding(Rule.JARGON, start, end, words, message, NO_SUGGESTION))
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
        if found:
            found += _in_context(context, text, sentence, allowed)
        findings += found
    return findings


def _shape_hits(text: str, sentences: list[Sentence]) -> dict[int, list[tuple[int, int, str]]]:
    """Codes and names by their shape, per sentence (keyed by its start), in _SHAPES order:
    each shape scans the text once, not once a sentence."""
    starts = [s.start for s in sentences]
    hits: dict[int, list[tuple[int, int, str]]] = {}
    for shape in _SHAPES:
        for hit in shape.finditer(text):
            index = bisect_right(starts, hit.start()) - 1
            if index < 0 or hit.end() > sentences[index].end:
                continue  # outside the sentences checked, or across two
            hits.setdefault(starts[index], []).append((hit.start(), hit.end(), hit.group()))
    return hits


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


# CamelCase names people know from everyday life, and name prefixes ("McDonald").
_KNOWN_NAMES = word_set(
    """SharePoint OneDrive PowerPoint OneNote YouTube LinkedIn PayPal WhatsApp FaceTime MacBook
    iPhone iPad iPads iPhones iCloud iTunes eBay TikTok WordPress JobCentre NatWest GovWifi
    HealthCheck BlackBerry PlayStation DropBox Dropbox FedEx McAfee StartUp"""
)
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Le|La|Di|Da|Van|Von|Du|Fitz|O)[A-Z]")


def _known_name(words: str) -> bool:
    return words in _KNOWN_NAMES or bool(_NAME_PREFIX.match(words))


@lru_cache(maxsize=65536)
def is_rare(word: str, allowed: frozenset[str] = frozenset()) -> bool:
    # Capitalised words are names (of people, places, services) far more often than jargon,
    # and upper-case ones are acronyms, which have their own rule.
    if not word[:1].islower() or any(c.isdigit() for c in word):
        return False
    word = _NEGATIVE.sub("", word)  # "couldn't": a contraction, which has its own rule
    parts = [p for p in re.split(r"[-'’/.&]", word) if p]
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
