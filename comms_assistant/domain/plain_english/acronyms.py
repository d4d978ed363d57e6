"""Acronyms and codes: spelled out on first use unless most readers know them (GOV.UK).

An acronym counts as explained only where its words stand beside it in brackets: "Care Quality
Commission (CQC)" or "CQC (Care Quality Commission)". "(ETA Feb 22)" explains nothing. Time
zone codes other than the UK's own (GMT, BST) get their own advice: give the time as readers
live it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from comms_assistant.domain.plain_english.frequency import zipf
from comms_assistant.domain.plain_english.lexicon import shipped_words, word_set
from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.text import Sentence, Token

# Time zones readers in the UK do not live in: a code to translate, not to spell out.
TIME_ZONES = word_set(
    "UTC PST PDT PT EST EDT ET CST CDT CT MST MDT MT CET CEST EET EEST IST JST AEST AEDT "
    "AEST SGT HKT"
)
# Two-letter words written in capitals for emphasis ("we can NOT", "DO NOT").
_EMPHASIS = word_set(
    "NO OR ON IN AT TO BE DO GO IF IS BY MY UP SO WE HE ME OF AN AS IT US AM PM OK"
)
_LOOK_BACK = 120  # characters: enough for the words an acronym stands for
_SMALL = word_set("of and the for to in on a an at by with")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
TIME_ZONE_MESSAGE = '"{}" is a time zone code: readers may not know what time it means.'
TIME_ZONE_ADVICE = 'Give the time in UK time, e.g. "3pm", or say which country\'s time it is.'


def acronyms(sentences: Sequence[Sentence], text: str, known: frozenset[str]) -> list[Finding]:
    """The first use of each acronym that is neither common nor explained in brackets."""
    findings = []
    explained: set[str] = set(common_acronyms()) | known
    for sentence in sentences:
        for token in sentence.tokens:
            word = token.text
            bare = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if not looks_like_acronym(bare) or bare in explained:
                continue
            explained.add(bare)  # only the first use needs spelling out
            finding = _unexplained(text, token, bare)
            if finding is not None:
                findings.append(finding)
    return findings


def _unexplained(text: str, token: Token, bare: str) -> Finding | None:
    """The finding for the first use of `bare`, or None where readers need no more."""
    if _explained_beside(text, token, bare):
        return None
    if bare in TIME_ZONES:
        # Beside a time ("17:00 UTC") readers know it is a time zone.
        if _after_a_time(text, token):
            return None
        return _finding(token, TIME_ZONE_MESSAGE, TIME_ZONE_ADVICE)
    if _a_word(bare.replace("/", "")):
        return None
    return _finding(
        token,
        '"{}" is not spelled out: not everyone will know what it stands for.',
        f'Write it in full the first time, then "{token.text}" in brackets, or use '
        "plain words instead.",
    )


def _a_word(letters: str) -> bool:
    """A word in capitals for emphasis ("NOT"), or one common as a word: not an acronym."""
    if len(letters) == 2:
        return letters in _EMPHASIS
    return len(letters) > 2 and letters.isalpha() and zipf([letters.lower()]) >= 4.0


def _finding(token: Token, message: str, advice: str) -> Finding:
    return Finding(
        Rule.ACRONYM, token.start, token.end, token.text, message.format(token.text), advice
    )


_TIME_BEFORE = re.compile(r"(?:\d|am|pm|noon|midnight)\)?\s*\(?$", re.IGNORECASE)


def _after_a_time(text: str, token: Token) -> bool:
    return bool(_TIME_BEFORE.search(text[max(0, token.start - 12) : token.start]))


def looks_like_acronym(word: str) -> bool:
    """Capitals (two or more, all but one letter): "CQC", "IDs", "I/O", "HA"."""
    letters = word.replace("/", "").replace("&", "")
    if len(letters) < 2 or not letters.isalnum() or not letters[:2].isupper():
        return False
    capitals = sum(c.isupper() for c in letters)
    return capitals >= 2 and capitals >= len(letters) - 1


def _explained_beside(text: str, token: Token, acronym: str) -> bool:
    """ "Words Standing For It (WSFI)" or "WSFI (Words Standing For It)"."""
    before = text[max(0, token.start - _LOOK_BACK) : token.start]
    after = text[token.end : token.end + _LOOK_BACK]
    letters = [c.lower() for c in acronym if c.isalpha()]
    if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
        words = _WORD.findall(before.rstrip()[:-1])
        return _initials_match(words, letters)
    if after.lstrip().startswith("("):
        inside = after.lstrip()[1:].split(")", 1)
        return len(inside) == 2 and _initials_match(_WORD.findall(inside[0]), letters)
    return False


def _initials_match(words: list[str], letters: list[str]) -> bool:
    """Whether the last words (small ones aside) start with the acronym's letters, in order."""
    initials = [w[0].lower() for w in words if w.lower() not in _SMALL]
    if len(initials) < len(letters):
        # "Identity and access management" spelled out with fewer words is still fine when
        # the letters appear in order among the words' letters.
        joined = "".join(w.lower() for w in words[-len(letters) - 2 :])
        return len(words) >= 2 and _in_order(letters, joined)
    tail = initials[-len(letters) :]
    if sorted(tail) == sorted(letters):  # in any order: "Coordinated Universal Time (UTC)"
        return True
    joined = "".join(w.lower() for w in words[-len(letters) - 2 :])
    return initials[-len(letters)] == letters[0] and _in_order(letters, joined)


def _in_order(letters: list[str], joined: str) -> bool:
    position = 0
    for letter in letters:
        position = joined.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


@lru_cache(maxsize=1)
def common_acronyms() -> frozenset[str]:
    return shipped_words("common_acronyms.txt")
