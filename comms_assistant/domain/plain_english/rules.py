"""The GOV.UK content design rules: words to avoid, acronyms, contractions, passive voice,
sentence and paragraph length."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from comms_assistant.domain.plain_english.lexicon import Lexicon, read_list, shipped_words
from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.text import Paragraph, Sentence

MAX_SENTENCE_WORDS = 25
MAX_PARAGRAPH_SENTENCES = 5
# GOV.UK: active voice. Some passive sentences read naturally ("Your draft is saved"); more
# than one sentence in five is a habit worth breaking.
MAX_PASSIVE_SHARE = 1 / 5

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
    "glossary": "your organisation's glossary of words to avoid",
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
# Past participles that after "is" describe a state, not an action someone did.
_STATES = _set(
    """based concerned delighted determined disappointed done excited gone interested
    involved located married pleased prepared related scared supposed tired used worried"""
)


def words_to_avoid(sentences: Sequence[Sentence], text: str, extra: Lexicon | None) -> list:
    findings = []
    for sentence in sentences:
        matches = (extra.find(sentence.tokens) if extra else []) + avoid_list().find(
            sentence.tokens
        )
        taken: list[tuple[int, int]] = []
        for match in matches:
            if any(match.start < e and s < match.end for s, e in taken):
                continue
            taken.append((match.start, match.end))
            entry, words = match.entry, text[match.start : match.end]
            message = f'"{words}" is in {_SOURCES.get(entry.source, entry.source)}'
            message += f" ({entry.note})." if entry.note else "."
            suggestion = entry.suggestion or "Say what you actually mean."
            findings.append(
                Finding(
                    Rule.WORDS_TO_AVOID,
                    match.start,
                    match.end,
                    words,
                    message,
                    suggestion,
                    entry.replacement(words),
                )
            )
    return findings


@lru_cache(maxsize=1)
def avoid_list() -> Lexicon:
    return Lexicon(entry for name in WORD_LISTS for entry in read_list(name))


def acronyms(sentences: Sequence[Sentence], text: str, known: frozenset[str]) -> list[Finding]:
    """The first use of each acronym that is neither common nor explained in brackets."""
    from comms_assistant.domain.plain_english.jargon import zipf  # shares its cache

    findings = []
    explained: set[str] = set(common_acronyms()) | known
    for sentence in sentences:
        for token in sentence.tokens:
            word = token.text
            bare = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if not _looks_like_acronym(bare) or bare in explained:
                continue
            explained.add(bare)  # only the first use needs spelling out
            before, after = text[: token.start].rstrip(), text[token.end :].lstrip()
            if before.endswith("(") or after.startswith("("):
                continue
            # A word in capitals for emphasis ("NOT") is not an acronym.
            if bare.isalpha() and zipf([bare.lower()]) >= 4.0:
                continue
            findings.append(
                Finding(
                    Rule.ACRONYM,
                    token.start,
                    token.end,
                    word,
                    f'"{word}" is not spelled out: not everyone will know what it stands for.',
                    f'Write it in full the first time, then "{word}" in brackets, or use '
                    "plain words instead.",
                )
            )
    return findings


def _looks_like_acronym(word: str) -> bool:
    if len(word) < 2 or not word[0].isupper() or not word[1].isupper():
        return False
    capitals = sum(c.isupper() for c in word)
    return capitals >= 2 and capitals >= len(word) - 1 and word[0].isupper()


@lru_cache(maxsize=1)
def common_acronyms() -> frozenset[str]:
    return shipped_words("common_acronyms.txt")


def contractions(text: str, masked: str) -> list[Finding]:
    findings = []
    for match in _CONTRACTION.finditer(masked):
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
    spans = [span for s in sentences if (span := _passive_span(s)) is not None]
    if not spans or len(spans) <= len(sentences) * MAX_PASSIVE_SHARE:
        return []
    share = f"{len(spans)} of {len(sentences)} sentences are passive"
    return [
        Finding(
            Rule.PASSIVE_VOICE,
            start,
            end,
            text[start:end],
            f'"{text[start:end]}" is passive ({share}; aim for one in five at most).',
            'Say who does it: "We have fixed it", not "It has been fixed".',
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
