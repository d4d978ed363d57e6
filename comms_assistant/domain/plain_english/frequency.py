"""How common an English word is (wordfreq's Zipf scale: 1 rare, 7 "the"), cached: the jargon
and acronym rules both ask, often about the same words."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def zipf(variants: Iterable[str]) -> float:
    """The commonest of a word's forms."""
    return max(_zipf(v) for v in variants)


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # loaded on first use: it reads its data file then

    return zipf_frequency(word, "en")
