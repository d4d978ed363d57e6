"""Load a process profile (a TOML file) into the domain's Policy.

Shipped profiles live in comms_assistant/profiles/; an organisation may give the path of its
own. Mistakes are reported with the file and the setting that is wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Container
from datetime import date, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from comms_assistant.config import SettingsError
from comms_assistant.domain.incident import Priority, Role
from comms_assistant.domain.policy import Handover, Policy, PriorityRule
from comms_assistant.domain.working_hours import WorkingHours

PROFILES = Path(__file__).resolve().parent.parent / "profiles"
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_HOLIDAY_REGIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


class ProfileError(SettingsError):
    """A profile that cannot be used; the message names the file and the setting."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PriorityModel(_Strict):
    name: str = ""
    update_every: str
    nudge_before: str = "none"
    holding_update: bool = False
    out_of_hours: bool = True

    @field_validator("update_every", "nudge_before")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class _HoursModel(_Strict):
    timezone: str = "Europe/London"
    days: list[Day] = list(DAYS[:5])
    start: time = time(9, 0)
    end: time = time(17, 30)
    bank_holidays: Literal["england-and-wales", "scotland", "northern-ireland", "none"] = (
        "england-and-wales"
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f'"{value}" is not a time zone such as Europe/London') from error
        return value


class _HandoverModel(_Strict):
    end_of_day: str = "17:00"
    after: str = "6h"
    out_of_hours_check: str = "2h"

    @field_validator("after", "out_of_hours_check")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("end_of_day")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value != "none":
            time.fromisoformat(value)
        return value


class _RolesModel(_Strict):
    extra: list[str] = []
    resolvers: list[str] = []


class _StatusPageModel(_Strict):
    publish_public_services: bool = False


class _ProfileModel(_Strict):
    name: str
    priorities: dict[Literal["P1", "P2", "P3", "P4"], _PriorityModel]
    working_hours: _HoursModel = _HoursModel()
    handover: _HandoverModel = _HandoverModel()
    roles: _RolesModel = _RolesModel()
    status_page: _StatusPageModel = _StatusPageModel()


def parse_duration(text: str) -> timedelta | None:
    """ "30m", "1h30m", "90s" or "none"."""
    text = text.strip().lower()
    if text == "none":
        return None
    match = _DURATION.fullmatch(text)
    if not text or not match:
        raise ValueError(f'"{text}" is not a time such as 30m, 1h or 1h30m (or "none")')
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def load_profile(name_or_path: str) -> Policy:
    """A shipped profile by name ("dfe"), or a profile file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES / f"{name_or_path}.toml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PROFILES.glob("*.toml")))
            raise ProfileError(f'There is no profile "{name_or_path}". Shipped profiles: {known}.')
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        model = _ProfileModel.model_validate(raw)
    except FileNotFoundError:
        raise ProfileError(f"The profile file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path} is not valid TOML: {error}") from None
    except ValidationError as error:
        problems = "\n".join(
            f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
        )
        raise ProfileError(f"{path} has problems:\n{problems}") from None
    try:
        return _to_policy(model)
    except ValueError as error:
        raise ProfileError(f"{path}: {error}") from None


def _to_policy(model: _ProfileModel) -> Policy:
    # In this order, so that a profile with several mistakes is told about the same one first.
    rules = _rules(model)
    hours = _working_hours(model.working_hours)
    extra = _role_names(model.roles.extra)
    resolvers = _resolvers(model.roles.resolvers, extra)
    return Policy(
        name=model.name,
        rules=rules,
        hours=hours,
        handover=_handover(model.handover),
        extra_roles=extra,
        resolvers=resolvers,
        publish_public_services=model.status_page.publish_public_services,
    )


def _rules(model: _ProfileModel) -> dict[Priority, PriorityRule]:
    priorities = model.priorities
    missing = [p.label for p in Priority if p.label not in priorities]
    if missing:
        raise ValueError(f"[priorities.{missing[0]}] is missing: give all of P1 to P4")
    return {
        Priority.parse(key): PriorityRule(
            update_every=parse_duration(p.update_every),
            nudge_before=parse_duration(p.nudge_before),
            holding_update=p.holding_update,
            out_of_hours=p.out_of_hours,
            name=p.name.strip(),
        )
        for key, p in priorities.items()
    }


def _working_hours(hours: _HoursModel) -> WorkingHours:
    return WorkingHours(
        tz=ZoneInfo(hours.timezone),
        start=hours.start,
        end=hours.end,
        days=frozenset(DAYS.index(d) for d in hours.days),
        holidays=bank_holidays(hours.bank_holidays),
    )


def _handover(handover: _HandoverModel) -> Handover:
    end_of_day = handover.end_of_day
    return Handover(
        end_of_day=None if end_of_day == "none" else time.fromisoformat(end_of_day),
        after=parse_duration(handover.after),
        out_of_hours_check=parse_duration(handover.out_of_hours_check),
    )


def _role_names(names: list[str]) -> tuple[str, ...]:
    return tuple(" ".join(r.lower().split()) for r in names)


def _resolvers(names: list[str], extra: tuple[str, ...]) -> tuple[str, ...]:
    known_roles = {r.value for r in Role} | set(extra)
    resolvers = _role_names(names)
    unknown = [r for r in resolvers if r not in known_roles]
    if unknown:
        raise ValueError(
            f'resolver "{unknown[0]}" is not a role: use one of {", ".join(sorted(known_roles))}'
        )
    return resolvers


def bank_holidays(region: str) -> Container[date]:
    if region == "none":
        return frozenset()
    import holidays  # imported here: it is only needed when a profile is loaded

    return holidays.country_holidays("GB", subdiv=_HOLIDAY_REGIONS[region])
