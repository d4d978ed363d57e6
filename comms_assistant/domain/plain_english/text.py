"""Splitting text into paragraphs, sentences and words, and the Flesch-Kincaid grade.

Sentences are split with pysbd, which knows abbreviations and numbers ("v2.3.1", "10.5%") that
a split on full stops gets wrong; each line is split on its own, so a heading or list item never
runs into the next. Syllables are counted with a rule of thumb rather than a dictionary, so the
grade needs no download and never changes with a library's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’&/-][A-Za-z0-9]+)*")
# Addresses are not prose: nobody rewrites a link, so every rule skips them.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TERMINATORS = re.compile(r"[.!?]")
_TRAILING = " \t\"'”’)]"
# A stop, closing quotes or brackets, a space, then a capital or digit: a sentence boundary,
# unless the word before the stop may be an abbreviation (_AMBIGUOUS), which pysbd decides.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])")
_AMBIGUOUS = re.compile(
    r"(?:^|[\s(])(?:[A-Za-z]|[A-Z][a-z]{1,3}|(?i:e\.g|i\.e|etc|approx|est|vs|no|ca?|mins?|hrs?|"
    r"mr|mrs|ms|dr|st|prof|inc|ltd|co|dept|ref|tel|ext))\.|\.\.|[.!?][\"'”’)\]]*\s+[a-z]"
)
# pysbd ends a sentence after these; in incident notes they start an estimate ("c. 75 mins").
_OPEN_ABBREVIATION = re.compile(r"(?:^|\s)(?:c|ca|approx|est)\.$", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    sentence_start: bool

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    sentences: tuple[Sentence, ...]


def mask_addresses(text: str) -> str:
    """The text with web and email addresses blanked out, keeping every offset."""
    return _ADDRESS.sub(lambda m: " " * len(m.group()), text)


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    found = []
    position = 0
    for block in _PARAGRAPH_BREAK.split(text):
        start = text.index(block, position)
        position = start + len(block)
        sentences = tuple(_sentences(text, start, block))
        if sentences:
            found.append(Paragraph(sentences[0].start, sentences[-1].end, sentences))
    return tuple(found)


def _sentences(text: str, offset: int, block: str):
    line_start = offset
    for line in block.split("\n"):
        for start, end in _split_line(line):
            tokens = _tokens(text, line_start + start, line_start + end)
            if tokens:
                yield Sentence(line_start + start, line_start + end, tokens)
        line_start += len(line) + 1


def _split_line(line: str) -> list[tuple[int, int]]:
    stripped = line.strip()
    if not stripped:
        return []
    lead = line.index(stripped[0])
    body = stripped.rstrip(_TRAILING)
    # Most lines are one short sentence: pysbd is only needed where a stop is inside the line.
    if len(_TERMINATORS.findall(body[:-1])) == 0:
        return [(lead, lead + len(stripped))]
    if not _AMBIGUOUS.search(line):
        return _split_plainly(line, lead)
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in _segmenter().segment(line):
        piece = piece.strip()
        if not piece:
            continue
        start = line.index(piece, position)
        position = start + len(piece)
        if spans and _OPEN_ABBREVIATION.search(line[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], position)
        else:
            spans.append((start, position))
    return spans


def _split_plainly(line: str, lead: int) -> list[tuple[int, int]]:
    spans, start = [], lead
    for boundary in _BOUNDARY.finditer(line, lead):
        end = boundary.end() - (len(boundary.group()) - len(boundary.group().rstrip()))
        spans.append((start, end))
        start = boundary.end()
    spans.append((start, len(line.rstrip())))
    return spans


def _tokens(text: str, start: int, end: int) -> tuple[Token, ...]:
    found: list[Token] = []
    for match in WORD.finditer(text, start, end):
        found.append(Token(match.group(), match.start(), match.end(), not found))
    return tuple(found)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd  # imported on first use: loading it costs more than checking a message

    return pysbd.Segmenter(language="en", clean=False)


_NOT_LETTER = re.compile(r"[^a-z]")
_SILENT_ENDING = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")
_VOWELS = re.compile(r"[aeiouy]{1,2}")


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    letters = _NOT_LETTER.sub("", word.lower())
    if not letters:
        return 1  # a number is read as a word; one syllable keeps "3pm" from counting as hard
    if len(letters) <= 3:
        return 1
    letters = _SILENT_ENDING.sub("", letters).removeprefix("y")
    return max(1, len(_VOWELS.findall(letters)))


def grade(sentences: list[Sentence]) -> float:
    """Flesch-Kincaid grade level, 0 for an empty text."""
    words = [t.text for s in sentences for t in s.tokens]
    if not words:
        return 0.0
    total = sum(syllables(w) for w in words)
    score = 0.39 * len(words) / len(sentences) + 11.8 * total / len(words) - 15.59
    return round(max(score, 0.0), 1)
