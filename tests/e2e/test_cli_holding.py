"""`comms-assistant run "holding"`: the holding update's mail (.eml) and card, in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli_lifecycle import COMMS, home, ok, run, sent_mail  # noqa: F401  (home: a fixture)

from comms_assistant.sandbox import seed

NOTE = "We are waiting for the supplier to restart the service."


def test_holding_sends_the_holding_mail_and_card(home: Path) -> None:  # noqa: F811
    opened = ok(
        run(home, "open Apply is down p2 impact: Candidates cannot apply services: apply", COMMS)
    )
    reference = opened.split()[0]

    out = ok(run(home, f"holding {NOTE}", COMMS))

    assert out.startswith(f"{reference}: Holding update sent: no change since the last update")
    assert "sent     email" in out and "sent     teams" in out
    last = sent_mail(home)[-1]
    body = last.get_body(("plain",)).get_content()
    assert last["Subject"] == f"{reference}: Apply is down"
    # An impact typed with no full stop still ends its sentence before the next starts.
    assert f"Candidates cannot apply. There is no change since our last update. {NOTE}" in body
    channel = home / "sandbox" / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    newest = json.loads(sorted(channel.glob("*.json"))[-1].read_text())
    card = json.dumps(newest["attachments"][0]["content"])
    assert "no change yet" in card and NOTE in card
