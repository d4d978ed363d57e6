"""Team membership as the Bot Connector says it, kept briefly: asked once per sender, a yes kept
longer than a no, a failed look-up never kept."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from comms_assistant.entrypoints.bot.members import NO_FOR, YES_FOR, TeamMembers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Connector:
    """Answers as the Bot Connector does: the member, or 404 for someone not in the team."""

    def __init__(self, members: set[str], status: int = 404) -> None:
        self.members, self.status, self.asked = members, status, 0

    async def ask(self, who: str) -> dict[str, Any]:
        self.asked += 1
        if who not in self.members:
            raise aiohttp.ClientResponseError(None, (), status=self.status)  # type: ignore[arg-type]
        return {"email": who}


def _look_up(members: TeamMembers, connector: Connector, who: str) -> bool:
    return asyncio.run(members.look_up(who, lambda: connector.ask(who)))


def test_a_member_is_asked_about_once_while_the_answer_is_fresh() -> None:
    clock, connector = Clock(), Connector({"sam@example.org"})
    members = TeamMembers("19:incidents@thread.tacv2", timeout=1, clock=clock)
    assert not members.is_member("sam@example.org")  # nothing asked yet
    assert _look_up(members, connector, "sam@example.org")
    assert members.is_member("SAM@example.org")  # the Gate reads it, whatever the case
    for _ in range(50):
        assert _look_up(members, connector, "sam@example.org")
    assert connector.asked == 1
    clock.now += YES_FOR + 1
    assert not members.is_member("sam@example.org")  # stale: asked again before the next turn
    assert _look_up(members, connector, "sam@example.org") and connector.asked == 2


def test_someone_outside_the_team_is_asked_about_again_sooner() -> None:
    clock, connector = Clock(), Connector(set())
    members = TeamMembers("19:incidents@thread.tacv2", timeout=1, clock=clock)
    assert not _look_up(members, connector, "visitor@example.org")
    assert not _look_up(members, connector, "visitor@example.org")
    assert connector.asked == 1
    connector.members.add("visitor@example.org")  # added to the team since
    clock.now += NO_FOR + 1
    assert _look_up(members, connector, "visitor@example.org")
    assert members.is_member("visitor@example.org") and connector.asked == 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_failed_look_up_is_not_kept(status: int) -> None:
    connector = Connector(set(), status=status)
    members = TeamMembers("19:incidents@thread.tacv2", timeout=1, clock=Clock())
    assert not _look_up(members, connector, "sam@example.org")
    assert not _look_up(members, connector, "sam@example.org")
    assert connector.asked == 2  # asked again next time: it may be a member


def test_a_look_up_that_hangs_counts_as_no_for_that_turn_only() -> None:
    async def hang() -> None:
        await asyncio.sleep(10)

    members = TeamMembers("19:incidents@thread.tacv2", timeout=0.05, clock=Clock())
    assert not asyncio.run(members.look_up("sam@example.org", hang))
    connector = Connector({"sam@example.org"})
    assert _look_up(members, connector, "sam@example.org") and connector.asked == 1


def test_what_is_kept_stays_bounded() -> None:
    from comms_assistant.entrypoints.bot import members as bot_members

    clock, connector = Clock(), Connector(set())
    members = TeamMembers("19:incidents@thread.tacv2", timeout=1, clock=clock)
    for n in range(bot_members.MOST + 10):
        members._keep(f"p{n}@example.org", False)
    assert len(members._known) <= bot_members.MOST
    assert not members.is_member("p0@example.org") and connector.asked == 0
