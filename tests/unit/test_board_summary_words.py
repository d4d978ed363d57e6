"""The board report's summary as a board member reads it: plain counts ("no incidents", not
"0 incidents"), the median said in words, and nothing the product's own check would hold."""

from __future__ import annotations

from comms_assistant.domain.figures import Punctuality, Summary
from comms_assistant.domain.incident import Priority
from comms_assistant.domain.plain_english.model import Glossary
from comms_assistant.service.board_content import summary_text
from comms_assistant.service.wording import WordingCheck


def month(incidents: int, *, p1: int = 0) -> Summary:
    return Summary(
        incidents=incidents,
        by_priority={Priority.P1: p1, Priority.P3: incidents - p1},
        median_to_first_message=1 if incidents else None,
        median_to_resolve=80 if incidents else None,
        median_to_declare=None,
        punctuality=Punctuality(due=5, on_time=4) if incidents else Punctuality(),
        messages=incidents * 3,
        actions_open=0,
        actions_done=0,
    )


def test_a_month_with_incidents_after_a_quiet_quarter() -> None:
    said = summary_text("November 2026", month(3, p1=1), month(0))
    assert said == (
        "We had 3 incidents in November 2026: 1 at P1 and 2 at P3. "
        "For at least half of them, we told people within a minute of declaring it. "
        "We sent 4 of 5 updates on time. "
        "For at least half of them, we fixed the problem within 80 minutes. "
        "In the 3 months before, we had no incidents."
    )
    assert WordingCheck(Glossary()).review_introduction(said) is None


def test_a_quiet_month() -> None:
    assert summary_text("December 2026", month(0), month(0)) == (
        "We had no incidents in December 2026. We had no incidents in the 3 months before either."
    )
    assert summary_text("December 2026", month(0), month(1)) == (
        "We had no incidents in December 2026. We had 1 incident in the 3 months before."
    )
