"""The GOV.UK content design rules: words to avoid, acronyms, contractions, passive voice,
sentence and paragraph length."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from comms_assistant.domain.plain_english.lexicon import (
    GLOSSARY,
    Lexicon,
    Match,
    read_list,
)
from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.rewrite import fit
from comms_assistant.domain.plain_english.rewrite import tried as _tried
from comms_assistant.domain.plain_english.senses import a_name, other_sense
from comms_assistant.domain.plain_english.spans import Spans
from comms_assistant.domain.plain_english.text import Paragraph, Sentence, Token

MAX_SENTENCE_WORDS = 25
MAX_PARAGRAPH_SENTENCES = 5
# GOV.UK: active voice. Some passive sentences read naturally ("Your draft is saved"); more
# than one sentence in five is a habit worth breaking.
MAX_PASSIVE_SHARE = 1 / 5
MIN_PASSIVE = 2

# The first list that names a term gives its advice: GOV.UK before plainlanguage.gov.
WORD_LISTS = (
    "govuk_words_to_avoid.txt",
    "govuk_technical_words.txt",
    "house_style.txt",
    "plainlanguage_simple_words.txt",
)
_SOURCES = {
    "govuk_words_to_avoid.txt": "the GOV.UK style guide's words to avoid",
    "govuk_technical_words.txt": "the GOV.UK style guide's words to avoid",
    "house_style.txt": "the words to avoid in incident messages",
    "plainlanguage_simple_words.txt": "plainlanguage.gov's list of words with simpler choices",
    GLOSSARY: "your organisation's glossary of words to avoid",
}

_CONTRACTION = re.compile(r"\b([A-Za-z]+)n['’]t\b")
# The part before "n't": "ca" of "can't", "wo" of "won't".
_EXPANSIONS = {"ca": "cannot", "wo": "will not", "sha": "shall not", "ai": "is not"}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_BE = _set("am is are was were be been being")
_BETWEEN = _set("not also now still already just only never all then again being")
_IRREGULAR = _set(
    """arisen beaten become begun bent bitten blown born borne bought bound broken brought
    built burnt caught chosen dealt done drawn driven eaten fallen fed felt forbidden forgiven
    forgotten found frozen given gone grown heard held hidden hit hung hurt kept known laid led
    left lent lost made meant met overwritten paid put quit read rebuilt rewritten ridden run
    said seen sent set shaken shown shut sold sought spent split spoken spread stolen struck
    stuck sung sunk swept taken taught thought thrown told torn understood undone upset won
    withdrawn worn woken written"""
)
# Past participles that after "is" describe a state, not an action someone did ("are stuck"),
# and outcomes where, as GOV.UK allows, what happened matters more than who did it ("has been
# fixed").
_STATES = _set(
    """based concerned delighted determined disappointed done excited gone interested
    involved located married pleased prepared related scared supposed tired used worried
    stuck affected unaffected impacted delayed limited closed connected disconnected
    required expected scheduled planned finished complete completed signed logged locked
    blocked unable aware sorry fixed resolved restored recovered resumed mitigated reopened
    back available unavailable able allowed advised asked invited encouraged reminded
    updated identified confirmed known needed lost saved experienced degraded"""
)


def words_to_avoid(sentences: Sequence[Sentence], text: str, extra: Lexicon | None) -> list:
    findings = []
    for sentence in sentences:
        matches = (extra.find(sentence.tokens) if extra else []) + avoid_list().find(
            sentence.tokens
        )
        taken = Spans()
        for match in matches:
            if not taken.add(match.start, match.end):
                continue
            finding = _word_to_avoid(text, sentence.tokens, match)
            if finding is not None:
                findings.append(finding)
    return findings


def _word_to_avoid(text: str, tokens: Sequence[Token], match: Match) -> Finding | None:
    entry = match.entry
    named = entry.source != GLOSSARY and a_name(tokens[match.first])
    if named or other_sense(tokens, match.first, match.last) or in_a_label(text, match):
        return None  # "Azure Key Vault", "we will issue refunds": not the word to avoid
    words = text[match.start : match.end]
    message = f'"{words}" is in {_SOURCES.get(entry.source, entry.source)}'
    message += f" ({entry.note})." if entry.note else "."
    suggestion = entry.suggestion or "Say what you actually mean."
    drop_in = entry.replacement(words)
    fitted = fit(
        text,
        tokens,
        match.first,
        match.last,
        drop_in,
        entry.term,
        own=entry.source == GLOSSARY,
    )
    start, end = (fitted.start, fitted.end) if fitted else (match.start, match.end)
    return Finding(
        Rule.WORDS_TO_AVOID,
        start,
        end,
        text[start:end],
        message,
        _tried(fitted) or suggestion,
        fitted.replacement if fitted else None,
    )


def in_a_label(text: str, match) -> bool:
    """Inside a field's name at the start of a line ("Resolution: ..."): a heading, not prose."""
    line_start = text.rfind("\n", max(0, match.start - 40), match.start) + 1
    if match.start - line_start > 30 or not text.startswith(":", match.end):
        return False
    return bool(_LABEL.fullmatch(text, line_start, match.start))


# What may come before a field's name on its line: a bullet, a number, other words of it.
_LABEL = re.compile(r"[\s\-*•\d.)]*(?:[A-Za-z]+ ){0,3}")


@lru_cache(maxsize=1)
def avoid_list() -> Lexicon:
    return Lexicon(
        entry for name in WORD_LISTS for entry in read_list(name, exact=name in EXACT_LISTS)
    )


# Lists of common words used in other senses too: only the forms they give are matched.
EXACT_LISTS = frozenset({"plainlanguage_simple_words.txt"})


def contractions(sentences: Sequence[Sentence], text: str, masked: str) -> list[Finding]:
    findings = []
    for sentence in sentences:
        for match in _CONTRACTION.finditer(masked, sentence.start, sentence.end):
            stem = match.group(1)
            full = _EXPANSIONS.get(stem.lower(), f"{stem.lower()} not")
            if stem[0].isupper():
                full = full[0].upper() + full[1:]
            findings.append(
                Finding(
                    Rule.CONTRACTION,
                    match.start(),
                    match.end(),
                    match.group(),
                    f'"{match.group()}" is a negative contraction: some readers miss the "not".',
                    f'Try "{full}".',
                    full,
                )
            )
    return findings


def passive_voice(sentences: Sequence[Sentence], text: str) -> list[Finding]:
    """Passive sentences, when they are a habit: more than one, and over one sentence in five.

    One passive sentence is never worth a note ("Your draft is saved" reads well).
    """
    spans = [span for s in sentences if (span := _passive_span(s)) is not None]
    if len(spans) < MIN_PASSIVE or len(spans) <= len(sentences) * MAX_PASSIVE_SHARE:
        return []
    return [
        Finding(
            Rule.PASSIVE_VOICE,
            start,
            end,
            text[start:end],
            f'"{text[start:end]}" is passive: it does not say who does it.',
            'Where it matters who acts, say so: "We have turned it off", not "It was turned off".',
        )
        for start, end in spans
    ]


def _passive_span(sentence: Sentence) -> tuple[int, int] | None:
    tokens = sentence.tokens
    for index, token in enumerate(tokens):
        if token.lower not in _BE:
            continue
        following = index + 1
        while following < len(tokens) and following - index <= 3:
            word = tokens[following].lower
            if word in _BETWEEN or (word.endswith("ly") and len(word) > 4):
                following += 1
                continue
            if word not in _STATES and (word in _IRREGULAR or _regular_participle(word)):
                return token.start, tokens[following].end
            break
    return None


def _regular_participle(word: str) -> bool:
    return len(word) > 4 and word.endswith("ed") and word.isalpha()


def sentence_length(sentences: Sequence[Sentence], text: str) -> list[Finding]:
    return [
        Finding(
            Rule.SENTENCE_LENGTH,
            s.start,
            s.end,
            text[s.start : s.end],
            f"This sentence has {len(s.tokens)} words: long sentences are hard to follow.",
            f"Split it into sentences of {MAX_SENTENCE_WORDS} words or fewer.",
        )
        for s in sentences
        if len(s.tokens) > MAX_SENTENCE_WORDS
    ]


def paragraph_length(paragraphs: Sequence[Paragraph], text: str) -> list[Finding]:
    return [
        Finding(
            Rule.PARAGRAPH_LENGTH,
            p.start,
            p.end,
            text[p.start : p.end],
            f"This paragraph has {len(p.sentences)} sentences.",
            f"Keep paragraphs to {MAX_PARAGRAPH_SENTENCES} sentences or fewer.",
        )
        for p in paragraphs
        if len(p.sentences) > MAX_PARAGRAPH_SENTENCES
    ]
