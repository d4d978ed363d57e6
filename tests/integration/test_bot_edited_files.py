"""The bot with the edited files (issue 23): each command uses the profile as it is saved now,
without a restart; a mistake saved into it keeps the last good profile in use, and the comms lead
of the open incident hears of it once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_bot_harness import start_bot

from comms_assistant.adapters.profiles import PROFILES
from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.database import open_engine

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = "open Apply is slow priority: minor services: apply impact: Some pages are slow"


def save(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()  # another size or time than the last save, however quick the test
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_each_command_uses_the_profile_as_saved_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "ours.toml"
    default = (PROFILES / "default.toml").read_text()
    profile.write_text(default)
    with start_bot(tmp_path, monkeypatch, profile=str(profile)) as bot:
        refused = bot.say(OPEN)["text"]
        assert "INC-2026-0001" not in refused and "minor" in refused  # no such priority yet
        named = default.replace("[priorities.P3]\n", '[priorities.P3]\nname = "Minor"\n')
        save(profile, named)
        assert "INC-2026-0001" in bot.say(OPEN)["text"]

        save(profile, named.replace("[priorities.P2]", "[priorities.P2", 1))
        # The last good profile is still in use: "minor" still names P3.
        assert "INC-2026-0002" in bot.say(OPEN.replace("Apply", "Find"))["text"]
        bot.say("status")
        engine = open_engine(tmp_path / "home" / "state.db")
        told = [r for r in outbox.rows(engine) if ":bad-edit:profile:" in r.key]
        # The incident open when the mistake was saved, and the one opened while it is still
        # there (told at the next command's look), each once.
        assert sorted(r.key.split(":")[0] for r in told) == ["INC-2026-0001", "INC-2026-0002"]
        assert told[0].payload["to"] == [{"email": "comms.lead@example.org", "name": ""}]
        assert f"The profile {profile} has a mistake on line" in told[0].payload["text"]
