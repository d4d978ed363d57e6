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

GLOSSARY = "glossary"  # the source of an organisation's own terms


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated list, as a set to test words against."""
    return frozenset(words.split())


@dataclass(frozen=True)
class Entry:
    term: str
    suggestions: tuple[str, ...] = ()
    note: str = ""
    source: str = ""
    # Words that stand in for exactly this form of the term ("" leaves it out); None when a
    # person must choose. "past/participle" when the two differ ("took/taken").
    drop_in: str | None = None
    # Matches only the forms written in the list, not their endings ("desire" is not
    # "desired state"): for lists whose words are common in other senses.
    exact: bool = False

    def replacement(self, words: str) -> str | None:
        """The drop-in for `words`, when they are this very form of the term.

        A list gives drop-ins form by form ("mitigated=reduced"): "reduce" in place of
        "mitigated" garbles the sentence, so other forms get a suggestion only.
        """
        if self.drop_in is None or " ".join(words.lower().split()) != self.term.lower():
            return None
        return self.drop_in

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
    first: int = 0  # the sentence's tokens the term covers: first to last, inclusive
    last: int = 0


def forms(word: str) -> frozenset[str]:
    """The word and the base forms it may come from ("retries" -> "retry", "rolled" -> "roll")."""
    return _forms(word.lower().replace("’", "'"))


@lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    found = {word}
    if word.endswith("'s"):
        word = word[:-2]
        found.add(word)
    found.update(_plural_bases(word))
    found.update(_verb_bases(word))
    return frozenset(found)


def _plural_bases(word: str) -> set[str]:
    size = len(word)
    found = set()
    if size > 4 and word.endswith("ies"):
        found.add(word[:-3] + "y")
    if size > 3 and word.endswith("es"):
        found.add(word[:-2])
    if size > 3 and word.endswith("s") and not word.endswith("ss"):
        found.add(word[:-1])
    return found


def _verb_bases(word: str) -> set[str]:
    size = len(word)
    found = set()
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
    return found


def ordered_forms(word: str) -> tuple[str, ...]:
    """forms(word) in a fixed order: the word as written first, then alphabetical."""
    return _ordered(word.lower().replace("’", "'"))


@lru_cache(maxsize=65536)
def _ordered(word: str) -> tuple[str, ...]:
    return (word, *sorted(_forms(word) - {word}))


def words_of(term: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in WORD.findall(term))


_CACHE_WORDS = 200_000  # distinct words remembered per lexicon: a bound on memory


class Lexicon:
    """Terms indexed by their first word, longest first, for one pass over a sentence."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
        # Forms a term's endings would match but that mean something else ("issued").
        self._never: set[str] = set()
        seen: set[tuple[str, ...]] = set()
        for entry in entries:
            if entry.term.startswith("!"):
                self._never.add(entry.term[1:].strip().lower())
                continue
            key = words_of(entry.term)
            if key and key not in seen:  # the first list to name a term decides its advice
                seen.add(key)
                self._by_first.setdefault(key[0], []).append((key, entry))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda pair: -len(pair[0]))
        # Per word as written: its forms that start a term, with those terms (most words: none).
        self._starts: dict[str, tuple[tuple[str, list[tuple[tuple[str, ...], Entry]]], ...]] = {}

    def _starting(self, text: str) -> tuple[tuple[str, list[tuple[tuple[str, ...], Entry]]], ...]:
        known = self._starts.get(text)
        if known is None:
            known = tuple(
                (form, self._by_first[form])
                for form in ordered_forms(text)
                if form in self._by_first
            )
            if len(self._starts) < _CACHE_WORDS:
                self._starts[text] = known
        return known

    def __contains__(self, word: str) -> bool:
        """Whether `word`, in any of its forms, is a one-word term of this lexicon."""
        return any(
            key == (form,) for form in forms(word) for key, _ in self._by_first.get(form, ())
        )

    def find(self, tokens: Sequence[Token]) -> list[Match]:
        found: list[Match] = []
        index = 0
        known = self._starts
        while index < len(tokens):
            if known.get(tokens[index].text) == ():
                index += 1  # most words start no term: skip them without a call
                continue
            best = self._longest_at(tokens, index)
            if best is None:
                index += 1
                continue
            length, entry = best
            last = index + length - 1
            found.append(Match(tokens[index].start, tokens[last].end, entry, index, last))
            index += length
        return found

    def _longest_at(self, tokens: Sequence[Token], index: int) -> tuple[int, Entry] | None:
        """The longest term starting at `index`; of equal ones, the one written as the words
        are ("availability zones", not "availability zone" with an ending, so the plural's own
        drop-in applies), then the one the first word is written as, then the first in
        alphabetical order: never the order a set happens to iterate in."""
        starting = self._starting(tokens[index].text)
        if not starting or (self._never and tokens[index].lower in self._never):
            return None
        best: tuple[int, Entry] | None = None
        best_as_written = False
        written = ordered_forms(tokens[index].text)[0]
        for first, candidates in starting:
            for key, entry in candidates:
                if _no_better(key, best, best_as_written):
                    break
                if not _fits_at(tokens, index, key, entry, first == written):
                    continue
                as_written = key == tuple(
                    ordered_forms(tokens[index + k].text)[0] for k in range(len(key))
                )
                if best is None or len(key) > best[0] or (as_written and not best_as_written):
                    best, best_as_written = (len(key), entry), as_written
        return best


def _no_better(key: tuple[str, ...], best: tuple[int, Entry] | None, best_as_written: bool) -> bool:
    """Candidates come longest first: after a shorter one, or one as long as a best written as
    the words are, none can do better."""
    return best is not None and (len(key) < best[0] or (len(key) == best[0] and best_as_written))


def _fits_at(
    tokens: Sequence[Token], index: int, key: tuple[str, ...], entry: Entry, first_written: bool
) -> bool:
    """Whether the term's words are the tokens from `index` on."""
    if index + len(key) > len(tokens) or (entry.exact and not first_written):
        return False
    return all(_matches(key[k], tokens[index + k], entry.exact) for k in range(1, len(key)))


def _matches(word: str, token: Token, exact: bool) -> bool:
    if exact:
        return word == ordered_forms(token.text)[0]
    return word in forms(token.text)


def read_list(name: str, *, exact: bool = False) -> list[Entry]:
    """Entries of a shipped list: `term; other forms | suggestion; other | note` a line."""
    text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return parse_list(text, source=name, exact=exact)


def parse_list(text: str, *, source: str = "", exact: bool = False) -> list[Entry]:
    """`term=drop-in; form=drop-in; form | suggestion; other | note` a line.

    A term without "=" gets suggestions only: a person rewrites it. "=-" leaves it out.
    """
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        terms, _, rest = line.partition("|")
        suggestions, _, note = rest.partition("|")
        advice = tuple(s.strip() for s in suggestions.split(";") if s.strip())
        for term in terms.split(";"):
            word, equals, drop_in = term.partition("=")
            if word.strip():
                given = (drop_in.strip() if drop_in.strip() != "-" else "") if equals else None
                entries.append(Entry(word.strip(), advice, note.strip(), source, given, exact))
    return entries


@cache
def shipped(name: str) -> Lexicon:
    return Lexicon(read_list(name))


@cache
def shipped_words(name: str) -> frozenset[str]:
    """A one-word-a-line list, as given (case kept: acronyms are matched as written)."""
    return frozenset(e.term for e in read_list(name))
