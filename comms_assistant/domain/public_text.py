"""What may be read on the public status page: never a person's name, an email address, a link
or an internal service's name. Pure.

`sanitise` takes them out of a public text and says what it took, so the comms lead can see
it and word it again. A person's name becomes "our team", an internal service's "one of our
systems"; addresses, links and @mentions are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
# A link with its scheme or www., or a host followed by a path (apply.example.org/admin).
URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"]+|\b(?:[\w-]+\.)+[a-z]{2,}/[^\s<>\"]*",
    re.IGNORECASE,
)
MENTION = re.compile(r"(?<![\w@])@[\w-]+(?:\.[\w-]+)*")
PERSON = "our team"
SYSTEM = "one of our systems"


@dataclass(frozen=True)
class Sanitised:
    text: str
    removed: tuple[str, ...] = ()  # what was taken out, described: "an email address"

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def sanitise(text: str, *, people: Iterable[str] = (), internal: Iterable[str] = ()) -> Sanitised:
    """`text` without addresses, links, @mentions, the full names of `people` (names of one
    word are too like ordinary words to take out) and the names of `internal` services."""
    removed: list[str] = []
    text = _cut(text, EMAIL, "", "an email address", removed)
    text = _cut(text, URL, "", "a link", removed)
    text = _cut(text, MENTION, "", "an @mention", removed)
    for name in _longest_first(n for n in people if len(n.split()) > 1):
        text = _cut(text, _phrase(name), PERSON, "a person's name", removed)
    for name in _longest_first(internal):
        text = _cut(text, _phrase(name), SYSTEM, "an internal service's name", removed)
    return Sanitised(_tidy(text), tuple(dict.fromkeys(removed)))


def _longest_first(names: Iterable[str]) -> list[str]:
    # "Apply support team" before "Apply": the longer name is taken out whole.
    return sorted({" ".join(n.split()) for n in names if n.strip()}, key=len, reverse=True)


def _phrase(name: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in name.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)


def _cut(text: str, pattern: re.Pattern[str], by: str, what: str, removed: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        removed.append(what)
        return _capitalised(by) if _starts_sentence(text, match.start()) else by

    return pattern.sub(replace, text)


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before.endswith((".", "!", "?", ":"))


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


_TIDY: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\(\s*\)|\[\s*\]"), ""),  # brackets left empty
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r" +([.,;:!?])"), r"\1"),
    (re.compile(r"([,;:])(?=[.,;:!?])"), ""),  # "at , ." -> "at."
    (re.compile(r"^[ ,;:]+", re.MULTILINE), ""),
    (re.compile(r"[ ]+$", re.MULTILINE), ""),
)


def _tidy(text: str) -> str:
    for pattern, by in _TIDY:
        text = pattern.sub(by, text)
    return text.strip()
