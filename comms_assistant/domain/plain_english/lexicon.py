"""Word lists shipped in data/, and matching their terms against a sentence's words.

Matching works on words, not characters: a term matches whole words only, ignoring case and
simple endings ("timeouts", "rolled back", "provider's"), so each list holds base forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from comms_assistant.domain.plain_english.text import WORD, Token


@dataclass(frozen=True)
class Entry:
    term: str
    suggestions: tuple[str, ...] = ()
    note: str = ""
    source: str = ""

    def replacement(self, words: str) -> str | None:
        """The first suggestion as a drop-in for `words` ("" means leave them out).

        Only for the form the list gives: "rollback" -> "undo the change" reads well, but the
        same words would not fit in place of "rolled back".
        """
        if not self.suggestions or " ".join(words.lower().split()) != self.term.lower():
            return None
        first = self.suggestions[0]
        return "" if first == "-" else first

    @property
    def suggestion(self) -> str:
        words = [s for s in self.suggestions if s != "-"]
        if self.suggestions and not words:
            return "Leave it out."
        if not words:
            return ""
        quoted = [f'"{w}"' for w in words]
        choices = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
        return f"Try {choices}."


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


def forms(word: str) -> frozenset[str]:
    """The word and the base forms it may come from ("retries" -> "retry", "rolled" -> "roll")."""
    return _forms(word.lower().replace("’", "'"))


@lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    found = {word}
    if word.endswith("'s"):
        word = word[:-2]
        found.add(word)
    size = len(word)
    if size > 4 and word.endswith("ies"):
        found.add(word[:-3] + "y")
    if size > 3 and word.endswith("es"):
        found.add(word[:-2])
    if size > 3 and word.endswith("s") and not word.endswith("ss"):
        found.add(word[:-1])
    if size > 4 and word.endswith("ied"):
        found.add(word[:-3] + "y")
    if size > 4 and word.endswith("ed"):
        found.update((word[:-2], word[:-1]))
        if word[-3] == word[-4]:
            found.add(word[:-3])
    if size > 5 and word.endswith("ing"):
        found.update((word[:-3], word[:-3] + "e"))
        if word[-4] == word[-5]:
            found.add(word[:-4])
    return frozenset(found)


def words_of(term: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in WORD.findall(term))


class Lexicon:
    """Terms indexed by their first word, longest first, for one pass over a sentence."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
        seen: set[tuple[str, ...]] = set()
        for entry in entries:
            key = words_of(entry.term)
            if key and key not in seen:  # the first list to name a term decides its advice
                seen.add(key)
                self._by_first.setdefault(key[0], []).append((key, entry))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda pair: -len(pair[0]))

    def __contains__(self, word: str) -> bool:
        """Whether `word`, in any of its forms, is a one-word term of this lexicon."""
        return any(
            key == (form,) for form in forms(word) for key, _ in self._by_first.get(form, ())
        )

    def find(self, tokens: Sequence[Token]) -> list[Match]:
        found: list[Match] = []
        index = 0
        while index < len(tokens):
            best = self._longest_at(tokens, index)
            if best is None:
                index += 1
                continue
            length, entry = best
            found.append(Match(tokens[index].start, tokens[index + length - 1].end, entry))
            index += length
        return found

    def _longest_at(self, tokens: Sequence[Token], index: int) -> tuple[int, Entry] | None:
        best: tuple[int, Entry] | None = None
        for first in forms(tokens[index].text):
            for key, entry in self._by_first.get(first, ()):
                if best is not None and len(key) <= best[0]:
                    break
                end = index + len(key)
                if end <= len(tokens) and all(
                    key[k] in forms(tokens[index + k].text) for k in range(1, len(key))
                ):
                    best = (len(key), entry)
                    break
        return best


def read_list(name: str) -> list[Entry]:
    """Entries of a shipped list: `term; other forms | suggestion; other | note` a line."""
    text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return parse_list(text, source=name)


def parse_list(text: str, *, source: str = "") -> list[Entry]:
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        terms, _, rest = line.partition("|")
        suggestions, _, note = rest.partition("|")
        advice = tuple(s.strip() for s in suggestions.split(";") if s.strip())
        for term in terms.split(";"):
            if term.strip():
                entries.append(Entry(term.strip(), advice, note.strip(), source))
    return entries


@cache
def shipped(name: str) -> Lexicon:
    return Lexicon(read_list(name))


@cache
def shipped_words(name: str) -> frozenset[str]:
    """A one-word-a-line list, as given (case kept: acronyms are matched as written)."""
    return frozenset(e.term for e in read_list(name))
