"""The settings of the work around an incident (issue 21): the responders' Teams meeting, the
review meeting, and the follow-up actions' Planner plan; and the incident register's list
(issue 24). docs/setup.md and docs/register.md say what each needs."""

from __future__ import annotations

import re
from datetime import time

from pydantic import BaseModel, Field, field_validator

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class WorkSettings(BaseModel):
    bridge_priorities: list[str] = Field(
        default_factory=lambda: ["P1"],
        description="Priorities whose incidents get a Teams meeting for the responders as soon "
        "as they are opened ('bridge' makes one at any priority). Empty: only on 'bridge'.",
    )
    meeting_organiser: str | None = Field(
        None,
        description="The mailbox whose calendar holds the bridge and the review meeting: a "
        "licensed user's (a service account with a Teams licence), never a shared mailbox, "
        "which cannot hold Teams meetings. Unset: the sandbox's service account, or no "
        "meetings on a real tenant.",
    )
    review_meeting_days: int = Field(
        5,
        ge=0,
        le=60,
        description="Working days after an incident is closed that its review meeting is "
        "booked for (the profile's working days and bank holidays).",
    )
    review_meeting_time: str = Field(
        "10:00", description="Time of day of the review meeting (24-hour HH:MM, local time)."
    )
    review_meeting_minutes: int = Field(
        60, ge=15, le=480, description="How long the review meeting is, in minutes."
    )
    actions_plan: str | None = Field(
        None,
        description="The Planner plan (its id) that follow-up actions become tasks in. Unset: "
        "the sandbox's plan, or actions kept in the documents only on a real tenant.",
    )
    actions_bucket: str | None = Field(
        None,
        description="The plan's bucket (its id) for every incident's actions. Unset: a bucket "
        "per incident, named after its reference, made when its first action is.",
    )
    register_list: str = Field(
        "Incident register",
        description="The SharePoint list in the incidents site that holds one item per "
        "incident (docs/register.md): made once with 'comms-assistant register create'. "
        "Empty: no register.",
    )

    @field_validator("bridge_priorities")
    @classmethod
    def _priorities(cls, value: list[str]) -> list[str]:
        words = [p.strip().upper() for p in value]
        wrong = [p for p in words if p not in ("P1", "P2", "P3", "P4")]
        if wrong:
            raise ValueError(f'"{wrong[0]}" is not a priority: use P1, P2, P3 or P4')
        return list(dict.fromkeys(words))

    @field_validator("review_meeting_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.fullmatch(value.strip()):
            raise ValueError(f'"{value}" is not a time of day: use HH:MM, such as 10:00 or 14:30')
        return value.strip()

    @property
    def review_meeting_at(self) -> time:
        hours, minutes = self.review_meeting_time.split(":")
        return time(int(hours), int(minutes))
