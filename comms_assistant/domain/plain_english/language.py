"""Text in another language: recognised, reported once, and left out of the checks.

Public bodies in Wales publish in Welsh and English, often in one message. The rules here are
for English: on Welsh every word looks "unusual". wordfreq has no Welsh word list, so Welsh is
recognised by its most frequent short words (articles, prepositions, forms of "bod", pronouns),
taken from the top of Welsh word-frequency lists such as CorCenCC's (the National Corpus of
Contemporary Welsh) and written out here for this product; none of them is an English word
common enough to mislead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from comms_assistant.domain.plain_english.lexicon import word_set
from comms_assistant.domain.plain_english.text import Sentence

WELSH_WORDS = word_set(
    """y yr ac yn ar gyda mae ei eich ein eu wedi ond neu nid nad bod hyn hynny fel gan
    dros drwy trwy ni chi nhw hefyd sydd oes roedd bydd fydd byddwn ydy ydym ydyn yw wrth
    rydym rydyn rydw gallwch gallu allwch dim ddim i'r o'r a'r am y mewn gyfer ar gyfer
    rhai rhywfaint pob gwasanaeth gwasanaethau gwefan cais ceisiadau diolch amynedd
    ymddiheuriadau ymddiheurwn problem problemau defnyddwyr pobl heddiw yfory wythnos
    ddiweddariad diweddariad nesaf fewngofnodi mewngofnodi anfon ymgeiswyr ymgeisydd
    gweithio gweithredu eto yma hwn hon hyd tan nes ôl ol wybodaeth gwybodaeth hynny
    cysylltu cysylltwch cyn ar ôl oherwydd felly gyda'r i'w ein bod fod gael cael yng ngh
    ydynt nhw'n maen mae'n ni'n chi'n dydy dyw"""
)
# Words that also are English (a, i, am, dim, hen...): not counted either way.
_SHARED = frozenset({"a", "i", "am", "dim", "problem", "pob", "ni", "hen", "man", "fel", "can"})
_WELSH_ONLY = WELSH_WORDS - _SHARED
_LETTERS = re.compile(r"[ŵŷâêîôûŴŶÂÊÎÔÛ]|\b\w*(?:dd|ll|ch|rh|ff)\w*\b", re.IGNORECASE)
# A sentence is Welsh when this share of its words are Welsh ones (and at least two are).
_SHARE = 0.25
_MIN_WORDS = 2

MESSAGE = "This looks like Welsh; it was not checked."
ADVICE = "Ask a Welsh speaker to read it."


def welsh(sentence: Sentence) -> bool:
    """Whether `sentence` is in Welsh rather than English."""
    words = [t.lower.replace("’", "'") for t in sentence.tokens]
    if not words:
        return False
    hits = sum(w in _WELSH_ONLY for w in words)
    if hits < min(_MIN_WORDS, len(words)) or len(words) == 1 and not _LETTERS.search(words[0]):
        return False
    return hits / len(words) >= _SHARE


def split(sentences: Sequence[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """The English sentences, and the Welsh ones. A short line between two Welsh ones (a
    heading, a name) goes with them."""
    marks = [welsh(s) for s in sentences]
    for index, sentence in enumerate(sentences):
        if marks[index] or len(sentence.tokens) > 4:
            continue
        before = index > 0 and marks[index - 1]
        after = index + 1 < len(sentences) and marks[index + 1]
        if before and after:
            marks[index] = True
    english = [s for s, m in zip(sentences, marks, strict=True) if not m]
    other = [s for s, m in zip(sentences, marks, strict=True) if m]
    return english, other
