"""The words after the verbs of the work around an incident: `action`, `invite` and
`review meeting`. Each reads them or raises a ParseError naming the wrong word and what was
expected; `commands.parse` chooses the function by the verb.

`action <text> [owner <email>] [due <date>]`: the options are read from the end, so the words
"owner" and "due" may appear in the action's text itself ("Check why the due date was
missed"). An option the text ends with must be right: "owner bob" is refused (not an address),
and so is "due 31/02" (not a date); "due:" and "owner:" with a colon are always options.
"""

from __future__ import annotations

import re

from comms_assistant.domain import command_words as w
from comms_assistant.domain.command_types import (
    AddAction,
    CancelReviewMeeting,
    CompleteAction,
    Invite,
    MoveReviewMeeting,
    Review,
)
from comms_assistant.domain.command_words import ParseError, one_line, shown
from comms_assistant.domain.dates import DATE_EXAMPLE, SaidDate, looks_like_a_date, parse_date
from comms_assistant.domain.dates import parse_moment as _moment

ACTION_FORM = "'action <what needs doing> [owner <email>] [due <date>]'"
DONE_WORDS = ("done", "complete", "completed", "finished")
OFF_WORDS = ("off", "cancel", "cancelled", "canceled", "none")
_NUMBERED = re.compile(r"#?(\d{1,4})(?:\s+(\S+?))?[.!]?")
# The longest date ("14th December 2026") is 3 words.
_DATE_WORDS = (3, 2, 1)


def parse_action(rest: str) -> AddAction | CompleteAction:
    text = one_line(rest)
    if not text:
        raise ParseError(f"Say what needs doing: {ACTION_FORM}, or 'action 1 done'.")
    numbered = _NUMBERED.fullmatch(text)
    if numbered is not None and (numbered.group(2) is None or _is_done(numbered.group(2))):
        number = int(numbered.group(1))
        if numbered.group(2) is None:
            raise ParseError(
                f"Say what to do with action {number}: 'action {number} done' marks it done. "
                f"To add an action, say what needs doing: {ACTION_FORM}."
            )
        return CompleteAction(number)
    words, owner, due = _options(text.split())
    if not words:
        raise ParseError(f"Say what needs doing before owner or due: {ACTION_FORM}.")
    return AddAction(" ".join(words), owner=owner, due=due)


def _is_done(word: str) -> bool:
    return word.lower().rstrip(".!") in DONE_WORDS


def _keyword(word: str) -> tuple[str, bool]:
    """(the word in lower case without a colon, whether it had one)."""
    lowered = word.lower()
    return lowered.removesuffix(":"), lowered.endswith(":")


def _options(words: list[str]) -> tuple[list[str], str, SaidDate | None]:
    """(the action's words, its owner, its due date): options taken off the end, each once."""
    owner: str | None = None
    due: SaidDate | None = None
    for _ in range(2):
        found_owner = _owner_at_end(words)
        if found_owner is not None:
            if owner is not None:
                raise ParseError('"owner" is given twice; give it once.')
            owner, words = found_owner, words[:-2]
            continue
        found_due = _due_at_end(words)
        if found_due is None:
            break
        if due is not None:
            raise ParseError('"due" is given twice; give it once.')
        due, words = found_due
    _no_option_left(words)
    return words, owner or "", due


def _owner_at_end(words: list[str]) -> str | None:
    if len(words) < 2 or _keyword(words[-2])[0] != "owner":
        return None
    said = words[-1].removeprefix("@").rstrip(".,")
    if said.lower() == "me":
        return "me"
    if not w.EMAIL.fullmatch(said):
        raise ParseError(
            f'"{shown(words[-1])}" is not a person: use "owner name@example.org", or '
            '"owner me" to own it yourself.'
        )
    return said.lower()


def _due_at_end(words: list[str]) -> tuple[SaidDate, list[str]] | None:
    """The due date the words end with, and the words before "due"; None when they do not
    end with one. A "due" followed by what can only be meant as a date, but is not one, is
    refused, with the forms understood."""
    refused: ParseError | None = None
    for count in _DATE_WORDS:
        if len(words) < count + 1:
            continue
        word, colon = _keyword(words[-count - 1])
        if word != "due":
            continue
        try:
            return parse_date(" ".join(words[-count:])), words[: -count - 1]
        except ParseError as error:
            if colon or looks_like_a_date(words[-count]):
                refused = refused or error
    if refused is not None:
        raise refused
    return None


def _no_option_left(words: list[str]) -> None:
    """`owner:` or `due:` with a colon still in the text: its value was not understood."""
    for index, word in enumerate(words):
        name, colon = _keyword(word)
        if colon and name in ("owner", "due"):
            after = " ".join(words[index + 1 : index + 4])
            expected = DATE_EXAMPLE if name == "due" else "an email address, or me"
            if not after:
                raise ParseError(f'Say what goes after "{name}:": {expected}.')
            raise ParseError(
                f'"{name}: {shown(after)}" is not understood: give {expected}, at the end.'
            )


def parse_invite(rest: str) -> Invite:
    people = [p.removeprefix("@").rstrip(".") for p in re.split(r"[\s,;]+", rest) if p]
    if not people:
        raise ParseError(
            "Say who to invite to the review meeting: 'invite name@example.org' (several: "
            "'invite a@example.org, b@example.org')."
        )
    for person in people:
        if not w.EMAIL.fullmatch(person):
            raise ParseError(
                f'"{shown(person)}" is not an email address: use "invite name@example.org".'
            )
    return Invite(tuple(dict.fromkeys(p.lower() for p in people)))


def parse_review(rest: str) -> Review | MoveReviewMeeting | CancelReviewMeeting:
    """`review` (file the review), `review meeting <date and time>` or `review meeting off`."""
    text = one_line(rest)
    if not text:
        return Review()
    word, _, when = text.partition(" ")
    if word.lower() != "meeting":
        raise ParseError(
            f"\"{shown(word)}\": 'review' takes no words after it, apart from "
            "'review meeting <date and time>' (book or move the review meeting) and "
            "'review meeting off' (call it off)."
        )
    if not when:
        raise ParseError(
            "Say when the review meeting is: 'review meeting 14 December 10am', or "
            "'review meeting off' to call it off."
        )
    if when.lower().rstrip(".!") in OFF_WORDS:
        return CancelReviewMeeting()
    return MoveReviewMeeting(_moment(when))
