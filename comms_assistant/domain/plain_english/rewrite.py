"""Whether a drop-in replacement reads as English where it stands, and in what form.

A list gives each form of a term its own drop-in ("mitigated=reduced"). Here the sentence
around it decides the rest: "a"/"an" before it, a capital at the start of a sentence, the past
tense or the participle ("reversed"), and when no drop-in is safe at all: inside a name
("Azure Key Vault"), next to a figure ("packet loss of 30-80%" is a fact, not "a poor
connection"), or where the words after it would repeat ("rolled back the change").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from comms_assistant.domain.plain_english.lexicon import word_set
from comms_assistant.domain.plain_english.text import Token

# Before a participle these make it one ("has been reversed"); otherwise it is the past tense.
_AUXILIARIES = word_set(
    "have has had having was were is are be been being am get got gets getting 's 've"
)
_ARTICLES = frozenset({"a", "an"})
# Phrasal verbs whose plain word does not take "to"/"from" after it ("rolled back to v2").
_PARTICLES = frozenset({"back", "over", "out", "up", "down", "off"})
_NUMBER = re.compile(r"\d")
# Words that start with a vowel letter but a consonant sound, and the reverse.
_CONSONANT_SOUND = re.compile(r"(?:u[bcfhjkmnprstvz][aeiouy]|use|uni|eu|one|once|ur[aeiou])")
_VOWEL_SOUND = re.compile(r"(?:hour|honest|honou?r|heir)")


@dataclass(frozen=True)
class Fitted:
    start: int
    end: int
    replacement: str


def fit(
    text: str,
    tokens: Sequence[Token],
    first: int,
    last: int,
    drop_in: str | None,
    term: str,
    *,
    facts: bool = False,
    own: bool = False,
) -> Fitted | None:
    """The drop-in for tokens[first..last] as the sentence needs it, or None when none fits.

    `facts`: the term names a measure ("packet loss", "latency"), so a figure beside it makes
    it a fact no everyday phrase can stand in for. `own`: an organisation's glossary term,
    whose capitals are its own ("Hydra" -> "the booking system"), not a name around it.
    """
    if drop_in is None or not _may_stand(text, tokens, first, last, drop_in, term, facts, own):
        return None
    words = _tense(drop_in, tokens, first)
    if not words:
        # Leaving a word out of the start of a sentence would leave a lower-case opening.
        return (
            None
            if tokens[first].sentence_start
            else Fitted(tokens[first].start, tokens[last].end, "")
        )
    if _repeats(words, tokens, last):
        return None
    return _placed(text, tokens, first, last, words)


def _may_stand(
    text: str,
    tokens: Sequence[Token],
    first: int,
    last: int,
    drop_in: str,
    term: str,
    facts: bool,
    own: bool,
) -> bool:
    """Whether the sentence around tokens[first..last] lets any drop-in stand there."""
    phrase = len(drop_in.split()) > 1
    # A listed noun phrase ("availability zone") whose drop-in is one too ("data centre"):
    # it may stand where the term stood, after a name ("AWS data centres") or before a noun.
    compound = phrase and " " in term.strip() and not _BOUNDARY_WORDS & set(drop_in.lower().split())
    named = not own and _in_a_name(tokens, first, last, phrase, compound)
    if named or (facts and _near_a_figure(tokens, first, last)):
        return False
    if _quoted(text, tokens[0].start, tokens[first].start):
        return False  # someone else's words: a quotation is not ours to change
    modifier = compound and not drop_in.split()[-1].lower().endswith("s")
    if phrase and not modifier and not _ends_here(text, tokens, last):
        return False  # "our failover procedures": a phrase cannot stand before a noun
    # "rolled back to version 2": the plain verb does not take "to"
    return not _phrasal_before_to(tokens, last, term)


def _phrasal_before_to(tokens: Sequence[Token], last: int, term: str) -> bool:
    after = tokens[last + 1] if last + 1 < len(tokens) else None
    phrasal = " " in term.strip() and term.split()[-1].lower() in _PARTICLES
    return phrasal and after is not None and after.lower in ("to", "from")


def _placed(text: str, tokens: Sequence[Token], first: int, last: int, words: str) -> Fitted:
    """The words in place: a capital where the sentence starts, "a" or "an" made to agree."""
    start = tokens[first].start
    original = text[start : tokens[last].end]
    if original[:1].isupper() and tokens[first].sentence_start:
        words = words[:1].upper() + words[1:]
    before = tokens[first - 1] if first > 0 else None
    if before is not None and before.lower in _ARTICLES and _adjacent(text, before, start):
        article = article_for(words)
        if article != before.lower:
            if before.text[:1].isupper():
                article = article.capitalize()
            return Fitted(before.start, tokens[last].end, f"{article} {words}")
    return Fitted(start, tokens[last].end, words)


def tried(fitted: Fitted | None) -> str:
    """The advice for a drop-in, in the form it takes here ("" when there is none)."""
    if fitted is None:
        return ""
    return f'Try "{fitted.replacement}".' if fitted.replacement else "Leave it out."


def article_for(words: str) -> str:
    """ "a" or "an" for the phrase that follows it."""
    word = words.split()[0].lower() if words.split() else ""
    if _VOWEL_SOUND.match(word):
        return "an"
    if word[:1] in "aeiou" and word and not _CONSONANT_SOUND.match(word):
        return "an"
    return "a"


def _tense(drop_in: str, tokens: Sequence[Token], first: int) -> str:
    past, slash, participle = drop_in.partition("/")
    if not slash:
        return drop_in
    recent = {t.lower for t in tokens[max(0, first - 3) : first]}
    return participle if recent & _AUXILIARIES else past


def _in_a_name(
    tokens: Sequence[Token], first: int, last: int, phrase: bool, compound: bool = False
) -> bool:
    """Inside or after a name: "Azure Key Vault"; for a phrase, after one too ("a DNS switch to
    the backup" is not English, "API delay" is). A capital starting a sentence is no name, and
    nor are capitals on a listed phrase itself ("the AWS Availability Zones eu-west-2a" is the
    jargon, not a name) unless a name goes on after it ("Availability Zone Manager")."""
    span = tokens[first : last + 1]
    following = tokens[last + 1] if last + 1 < len(tokens) else None
    name_follows = (
        following is not None and following.text[:1].isupper() and following.text not in _I
    )
    if _capitals_name_it(span, compound, name_follows):
        return True
    if phrase and not compound and first > 0 and _capitalised(tokens[first - 1]):
        return True
    if tokens[first].sentence_start:
        return name_follows
    return False


def _capitals_name_it(span: Sequence[Token], compound: bool, name_follows: bool) -> bool:
    if not any(_capitalised(token) for token in span):
        return False
    the_term = compound and len(span) > 1 and all(_title_case(t) for t in span)
    return not the_term or name_follows


def _title_case(token: Token) -> bool:
    """A word with a capital at its start only ("Zones"), not an acronym or CamelCase."""
    return token.text[:1].isupper() and token.text[1:] == token.text[1:].lower()


# Words that may follow a phrase put in place of a noun or verb: the phrase ends there.
_BOUNDARY_WORDS = word_set(
    """is are was were be been has have had will would can could may might should must to of
    in on at for from with by and or but as that which who when while after before since until
    during because so then than not into onto over under about this these those it its their
    our your a an the you we they he she i everyone everybody anyone people"""
)


def _quoted(text: str, sentence_start: int, start: int) -> bool:
    before = text[max(0, sentence_start - 1) : start]
    straight = before.count('"')
    return straight % 2 == 1 or before.count("“") > before.count("”")


def _ends_here(text: str, tokens: Sequence[Token], last: int) -> bool:
    if last + 1 >= len(tokens):
        return True
    following = tokens[last + 1]
    between = text[tokens[last].end : following.start]
    # A verb in the past tense after it ("this regression slipped in") ends the phrase too, and
    # so does a code or number naming it ("availability zones eu-west-2a"): no noun follows.
    verb = following.lower.endswith("ed") and following.lower not in _PAST_AS_NOUN
    code = _NUMBER.search(following.text) is not None
    return bool(between.strip()) or following.lower in _BOUNDARY_WORDS or verb or code


_PAST_AS_NOUN = frozenset({"need", "speed", "feed", "seed", "bed", "red", "shed"})


def _capitalised(token: Token) -> bool:
    """A capital inside the word (CamelCase, an acronym), or at its start mid-sentence."""
    inside = any(c.isupper() for c in token.text[1:])
    capital = token.text[:1].isupper() and not token.sentence_start
    return inside or (capital and token.text not in _I)


_I = frozenset({"I", "I'm", "I’m", "I've", "I’ve", "I'll", "I’ll", "I'd", "I’d"})


def _near_a_figure(tokens: Sequence[Token], first: int, last: int) -> bool:
    """A measurement just before or in the few words after ("packet loss of 30-80%", "300ms
    latency"): the term is part of a stated fact. A count ("2 availability zones") is not: a
    bare number before the term counts it, a measure before it has its unit."""
    before = tokens[max(0, first - 1) : first]
    counted = not _NUMBER.search(tokens[first].text)  # "502 / 503 errors" is no count
    for token in before:
        if _MEASURE.fullmatch(token.text) and not (counted and _COUNT.fullmatch(token.text)):
            return True
    return any(_MEASURE.fullmatch(t.text) for t in tokens[last + 1 : last + 4])


_COUNT = re.compile(r"\d+")
_MEASURE = re.compile(r"[\d.,-]*\d(?:%|ms|s|m|gb|mb|kb|gbps|mbps|x)?", re.IGNORECASE)


def _repeats(words: str, tokens: Sequence[Token], last: int) -> bool:
    """Whether the words after the term say again what the replacement ends with."""
    tail = words.lower().split()
    for size in range(min(len(tail), 3), 0, -1):
        following = [t.lower for t in tokens[last + 1 : last + 1 + size]]
        if following == tail[-size:] and following[-1] not in ("the", "a", "an"):
            return True
    return False


def _adjacent(text: str, before: Token, start: int) -> bool:
    return text[before.end : start].strip() == ""
