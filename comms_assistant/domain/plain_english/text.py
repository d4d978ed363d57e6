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
from typing import NamedTuple

WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’&/-][A-Za-z0-9]+)*")
# Addresses are not prose: nobody rewrites a link, so every rule skips them.
# An email address starts where a run of its characters starts: from every character of a long
# run with no "@" in it, the search would read to the run's end (quadratic time).
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TERMINATORS = re.compile(r"[.!?]")
_TRAILING = " \t\"'”’)]"
# A stop, closing quotes or brackets, a space, then a capital or digit: a sentence boundary,
# unless the word before the stop may be an abbreviation (_AMBIGUOUS), which pysbd decides.
# A "?" or "!" inside brackets ("many (all?) services") ends no sentence.
_BOUNDARY = re.compile(r"(?:\.+[\"'”’)\]]*|[!?]+[\"'”’\]]*)\s+(?=[\"'“‘(\[]*[A-Z0-9])")
_AMBIGUOUS = re.compile(
    r"(?:^|[\s(])(?:[A-Za-z]|[A-Z][a-z]{1,3}|(?i:e\.g|i\.e|etc|approx|est|vs|no|ca?|mins?|hrs?|"
    r"mr|mrs|ms|dr|st|prof|inc|ltd|co|dept|ref|tel|ext))\.|\.\.|[.!?][\"'”’)\]]*\s+[a-z]"
)
# pysbd ends a sentence after these; in incident notes they start an estimate ("c. 75 mins").
_OPEN_ABBREVIATION = re.compile(r"(?:^|\s)(?:c|ca|approx|est)\.$", re.IGNORECASE)


class Token(NamedTuple):
    """A word: a tuple, as a megabyte of text has a few hundred thousand of them."""

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
    """The text's paragraphs, each a run of prose lines.

    Lines apart from blank ones are a paragraph only when they are one piece of prose wrapped
    at a width: a list item, a "Field: value" line, or a short line after another starts a
    paragraph of its own, so a list or a form-like update is never "a long paragraph".
    """
    found = []
    position = 0
    for block in _PARAGRAPH_BREAK.split(text):
        start = text.index(block, position)
        position = start + len(block)
        line_start = start
        run: list[Sentence] = []
        previous = ""
        for line in block.split("\n"):
            if run and not _continues(previous, line):
                found.append(Paragraph(run[0].start, run[-1].end, tuple(run)))
                run = []
            run.extend(_line_sentences(text, line_start, line))
            if line.strip():
                previous = line
            line_start += len(line) + 1
        if run:
            found.append(Paragraph(run[0].start, run[-1].end, tuple(run)))
    return tuple(found)


# A bullet, a number or letter with a stop or bracket: a list item.
_LIST_ITEM = re.compile(r"\s*(?:[-*•‣◦–—·+>]|\(?(?:\d{1,3}|[a-zA-Z])[.)])\s")
# "Summary: ...", "Next update: 3pm": one field a line.
_FIELD = re.compile(r"\s*[A-Z][\w'’/&()-]*(?: [\w'’/&()-]+){0,4}\s?:(?:\s|$)")
# A line this long that runs on to the next was wrapped at a width: the next continues it.
WRAPPED_WIDTH = 60


def _continues(previous: str, line: str) -> bool:
    if not line.strip() or _LIST_ITEM.match(line) or _FIELD.match(line):
        return not line.strip()
    if _LIST_ITEM.match(previous) or _FIELD.match(previous):
        return False
    return len(previous.strip()) >= WRAPPED_WIDTH


def _line_sentences(text: str, line_start: int, line: str):
    for start, end in _split_line(line):
        tokens = _tokens(text, line_start + start, line_start + end)
        if tokens:
            yield Sentence(line_start + start, line_start + end, tokens)


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
    # pysbd decides only where a stop may be an abbreviation, a few sentences at a time: on a
    # whole long line its work grows faster than the line.
    spans: list[tuple[int, int]] = []
    for start, end in _clear_pieces(line, lead):
        piece = line[start:end]
        if _AMBIGUOUS.search(piece):
            spans += [(start + s, start + e) for s, e in _segment(piece)]
        else:
            spans += [(start + s, start + e) for s, e in _split_plainly(piece, 0)]
    return spans


def _clear_pieces(line: str, lead: int) -> list[tuple[int, int]]:
    """The line cut where a sentence surely ends: at a boundary with no abbreviation near."""
    pieces, start = [], lead
    for boundary in _BOUNDARY.finditer(line, lead):
        near = line[max(lead, boundary.start() - _NEAR) : boundary.end() + 1]
        if _AMBIGUOUS.search(near):
            continue
        pieces.append((start, boundary.end()))
        start = boundary.end()
    pieces.append((start, len(line)))
    return [(s, e) for s, e in pieces if line[s:e].strip()]


_NEAR = 10  # characters before a stop that may make it an abbreviation's ("approx.")


def _segment(line: str) -> list[tuple[int, int]]:
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
        # After "Identified:" or "12:30 UTC –" a line starts again: its capital is no name.
        opens = not found or bool(_OPENER.fullmatch(text, found[-1].end, match.start()))
        found.append(Token(match.group(), match.start(), match.end(), opens))
    return tuple(found)


_OPENER = re.compile(r"\s*(?::|\s[-–—])\s+")


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
