"""Whether a listed word is used in the sense its list means: "issue a refund" is not the
"issue" to avoid, "Key Vault" is a name, "makes testing easy" tells the reader nothing is easy."""

from __future__ import annotations

from collections.abc import Sequence

from comms_assistant.domain.plain_english.lexicon import word_set
from comms_assistant.domain.plain_english.text import Token

# Nouns on the lists that are also verbs, where the verb is plain English ("issue a refund").
_NOUNS = frozenset({"issue", "issues", "address"})
_BEFORE_A_VERB = word_set(
    "will would to we they can could may might shall should must and then i you 'll"
)
_AFTER_A_VERB = word_set("a an the another further more new refunds credits updates")


def a_name(token: Token) -> bool:
    """A capital not at the start of a sentence: part of a name ("Key Vault")."""
    return not token.sentence_start and token.text[:1].isupper() and token.text[1:].islower()


def other_sense(tokens: Sequence[Token], first: int, last: int) -> bool:
    """The word in a sense the lists allow: "issue" as a verb ("we will issue refunds") or in a
    name ("GitHub issue"), "key" that unlocks ("access key", "key pair"), "easy" about the
    team's own work ("makes testing easy")."""
    if first != last:
        return False
    word = tokens[first].lower
    before = tokens[first - 1] if first else None
    after = tokens[last + 1].lower if last + 1 < len(tokens) else ""
    if word == "key":
        return (before is not None and before.lower in _KEYS_THAT_UNLOCK) or after in _KEY_AFTER
    if word in _EASY:
        return not _to_the_reader(tokens, after)
    if word not in _NOUNS:
        return False
    return _verb_or_ticket(tokens, first, before, after)


def _verb_or_ticket(tokens: Sequence[Token], first: int, before: Token | None, after: str) -> bool:
    """ "issue" or "address" as a verb, or "issue" as a ticket in a tracker."""
    if before is not None and (before.lower in _TRACKERS or _camel(before.text)):
        return True  # "GitHub issue", "Jira issues": a ticket, the tracker's own word
    if before is None:
        return after in _AFTER_A_VERB
    article = before.lower in ("a", "an") and first > 1
    if before.lower in _OPEN_A_TICKET or (article and tokens[first - 2].lower in _OPEN_A_TICKET):
        return True  # "open an issue": a ticket
    return before.lower in _BEFORE_A_VERB or after in _AFTER_A_VERB


_TRACKERS = word_set("jira github gitlab bugzilla tracker pagure trello")
_OPEN_A_TICKET = word_set("open opened opening file filed filing raise raised create created")


def _camel(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)


_KEYS_THAT_UNLOCK = word_set(
    "access secret private public api ssh encryption signing gpg pgp license licence registry"
)
# After these, "key" is a noun (a thing that unlocks), not "important": "the key was revoked".
_KEY_AFTER = word_set(
    "pair pairs vault rotation store file files id was is has had expired for to that used "
    "and with in of were"
) | {""}

# GOV.UK avoids "easy" because what is easy for the writer may not be for the reader: it is the
# word to avoid when it tells the reader something is easy for them ("you can easily", "it is
# easy to"), not when a review says a process made the team's own work easy.
_EASY = word_set("easy easily")
_THE_READER = word_set("you your yours yourself")


def _to_the_reader(tokens: Sequence[Token], after: str) -> bool:
    return after == "to" or any(token.lower in _THE_READER for token in tokens)
