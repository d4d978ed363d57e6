"""The words about the public status page in commands: `public:` in `open`, `update` and
`close`, and the `publish` and `unpublish` verbs. Pure: text in, values out, or a ParseError
that names the wrong word and what was expected."""

from __future__ import annotations

from collections.abc import Mapping

from comms_assistant.domain.command_types import Publish
from comms_assistant.domain.command_words import ParseError, one_line, shown
from comms_assistant.domain.publication import PublicAsk

PUBLIC = "public"
_YES, _NO = ("yes", "true"), ("no", "none", "false")


def public_at_open(sections: Mapping[str, str], *, security: bool) -> bool:
    """`public: yes|no` in `open`. A security incident reaches the page only by `publish`
    with the words the public may read."""
    said = sections.get(PUBLIC)
    if said is None:
        return False
    word = said.strip().rstrip(".").lower()
    if word not in (*_YES, *_NO):
        raise ParseError(
            f'"public: {shown(said)}" should be "public: yes" or "public: no". The public '
            "words come from the impact and 'do:'; give other words later with "
            "'update <text> public: <what the public may read>'."
        )
    if word in _YES and security:
        raise ParseError(
            '"public: yes" cannot go with "security: yes": a security incident reaches the '
            "public status page only when you send 'publish <what the public may read>' "
            "once it is open."
        )
    return word in _YES


def public_words(sections: Mapping[str, str], verb: str) -> str | None:
    """`public: <text>` in `update` or `close`: the status page's words; "" for `public: no`
    (leave this one off the page); None when not said."""
    said = sections.get(PUBLIC)
    if said is None:
        return None
    text = one_line(said)
    if not text:
        raise ParseError(
            f"Say what the public status page should show after public:, or 'public: no' to "
            f"leave this {verb} off it."
        )
    return "" if text.rstrip(".").lower() in _NO else text


def parse_publish(rest: str) -> Publish:
    text = one_line(rest)
    if text.lower().startswith(f"{PUBLIC}:"):
        text = one_line(text[len(PUBLIC) + 1 :])
    if text.rstrip(".").lower() in _NO:
        raise ParseError(
            f'"publish {shown(text)}" would publish nothing: to take an incident off the '
            "status page, send 'unpublish'."
        )
    return Publish(text)


def asked(public: str | None) -> PublicAsk:
    """What a command's `public:` asks of the page: its words, or (`public: no`) nothing."""
    return PublicAsk(text=public or None, skip=public == "")
