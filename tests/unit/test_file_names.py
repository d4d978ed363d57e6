"""SharePoint file names made from titles people type: nothing invisible survives into them."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from comms_assistant.domain import commands as c
from comms_assistant.domain.file_names import MAX_TITLE, clean_title, report_name

HIDDEN = ("Cc", "Cf", "Cs")
nasty = st.sampled_from(
    [
        "\x07",
        "\x1b[31m",
        "\x1b[0m",
        "\x9b1m",
        "\u202e",
        "\u202a",
        "\u2066",
        "\u200b",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\u061c",
        "\u200e",
        "\x00",
        "\x85",
        "\t",
        "\r\n",
        "e\u0301",
    ]
)
titles = st.lists(st.one_of(nasty, st.text(max_size=10)), max_size=12).map("".join)


def _visible(name: str) -> bool:
    return not any(unicodedata.category(ch) in HIDDEN for ch in name)


def test_a_title_with_escapes_and_overrides_makes_a_clean_name() -> None:
    command = c.parse("open \x07Apply \x1b[31mis down\x1b[0m \u202egnp.exe\u200b p2")
    assert isinstance(command, c.Open)
    assert report_name(date(2026, 11, 23), "INC-2026-0001", command.title) == (
        "2026-11-23 INC-2026-0001 Apply is down gnp.exe.docx"
    )


def test_a_title_stored_before_parsing_cleaned_it_still_makes_a_clean_name() -> None:
    assert clean_title("Apply\x1b[31m is\u202e down\u200b\x07") == "Apply is down"


@settings(max_examples=1500, deadline=None)
@given(titles)
def test_any_parsed_title_makes_a_name_with_nothing_hidden(typed: str) -> None:
    try:
        command = c.parse(f"open {typed} p2")
    except c.ParseError:
        return
    assert isinstance(command, c.Open)
    assert _visible(command.title)
    name = clean_title(command.title)
    assert name and len(name) <= MAX_TITLE and _visible(name)


@settings(max_examples=1500, deadline=None)
@given(titles)
def test_any_title_at_all_makes_a_name_with_nothing_hidden(title: str) -> None:
    name = clean_title(title)
    assert name and len(name) <= MAX_TITLE and _visible(name)
