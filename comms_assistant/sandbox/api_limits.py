"""The published rate limits of Statuspage's and GitHub's APIs, counted on the tenant's clock.

Statuspage (its API reference, "Rate Limiting"): "Each API token is limited to 1 request / second
as measured on a 60 second rolling window", and "Error codes 420 or 429 indicate that you have
exceeded the rate limit and the request has been rejected." So: at most 60 requests by one key in
any 60 seconds (a burst of 60 is fine), the 61st refused with 420 (or 429, see below). Atlassian
documents no Retry-After and no rate-limit headers, so none are sent; a refused request is not
counted (undocumented; the kinder reading).

GitHub ("Rate limits for the REST API"): 5,000 requests an hour for a token (a fixed window from
its first request; `x-ratelimit-limit|remaining|used|reset|resource` on every answer), 60 an hour
without one; over it, 403 or 429 with `x-ratelimit-remaining: 0`. Secondary limits: "no more
than 80 content-generating requests per minute and no more than 500 content-generating requests
per hour": the sandbox counts issue and comment creation, and answers 403 (or 429) with
`retry-after`, the seconds until one is free again.

`GET|PATCH|DELETE /_sandbox/ratelimits` (api_gate.py) shows, changes (lower numbers make a test
quick; `status` picks 420/429 or 403/429) and restores these; changing them forgets the counts.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from comms_assistant.sandbox.api_errors import github_error, statuspage_error

HOUR = 3600.0
MINUTE = 60.0
PRIMARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
)
SECONDARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


@dataclass
class StatuspageLimit:
    requests: int = 60
    window: float = 60.0
    status: int = 420  # "420 or 429"


@dataclass
class GithubLimit:
    core: int = 5000
    anonymous: int = 60
    content_per_minute: int = 80
    content_per_hour: int = 500
    status: int = 403  # "403 or 429"


_STATUSES = {"statuspage": {420, 429}, "github": {403, 429}}


class LimitError(ValueError):
    """A change to the limits that cannot be made; the message says which field and why."""


def _changed(current: Any, service: str, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise LimitError(f"'{service}' must be an object")
    known = {f.name: f.type for f in fields(current)}
    values = asdict(current)
    for key, value in raw.items():
        if key not in known:
            raise LimitError(f"'{service}' has no '{key}'; it has {sorted(known)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise LimitError(f"'{service}.{key}' must be a positive number, got {value!r}")
        values[key] = value
    if values["status"] not in _STATUSES[service]:
        raise LimitError(f"'{service}.status' must be one of {sorted(_STATUSES[service])}")
    return type(current)(**values)


class ApiLimits:
    """Counts per Statuspage key and per GitHub token; used from the server's loop and tests."""

    def __init__(self) -> None:
        self.statuspage = StatuspageLimit()
        self.github = GithubLimit()
        self._lock = threading.Lock()
        self._calls: dict[str, list[float]] = {}  # Statuspage key -> times of counted requests
        self._hours: dict[str, tuple[float, int]] = {}  # GitHub caller -> (window start, used)
        self._content: dict[str, list[float]] = {}  # GitHub caller -> times of creations

    def to_json(self) -> dict[str, Any]:
        return {"statuspage": asdict(self.statuspage), "github": asdict(self.github)}

    def update(self, raw: Any) -> None:
        if not isinstance(raw, dict) or not set(raw) <= {"statuspage", "github"}:
            raise LimitError("say {'statuspage': {...}} and/or {'github': {...}}")
        statuspage = _changed(self.statuspage, "statuspage", raw.get("statuspage", {}))
        github = _changed(self.github, "github", raw.get("github", {}))
        with self._lock:
            self.statuspage, self.github = statuspage, github
            self._forget()

    def reset(self) -> None:
        with self._lock:
            self.statuspage, self.github = StatuspageLimit(), GithubLimit()
            self._forget()

    def _forget(self) -> None:
        self._calls.clear()
        self._hours.clear()
        self._content.clear()

    def statuspage_call(self, key: str, now: float) -> None:
        """Count one request by `key`, or raise 420/429 if it is over the rolling window."""
        with self._lock:
            limit = self.statuspage
            calls = [t for t in self._calls.get(key, []) if t > now - limit.window]
            self._calls[key] = calls
            if len(calls) >= limit.requests:
                raise statuspage_error(
                    limit.status,
                    f"Rate limit exceeded: this API key made {len(calls)} requests in the last "
                    f"{limit.window:g} seconds.",
                )
            calls.append(now)

    def github_call(
        self, who: str, now: float, *, anonymous: bool, creates: bool
    ) -> dict[str, str]:
        """Count one request; the x-ratelimit-* headers for its answer. Over a limit: ApiError."""
        with self._lock:
            limit = self.github.anonymous if anonymous else self.github.core
            start, used = self._hours.get(who, (now, 0))
            if now >= start + HOUR:
                start, used = now, 0
            over = used >= limit
            used += 0 if over else 1
            self._hours[who] = (start, used)
            headers = {
                "x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(limit - used),
                "x-ratelimit-used": str(used),
                "x-ratelimit-reset": str(math.ceil(start + HOUR)),
                "x-ratelimit-resource": "core",
            }
            if over:
                message = f"API rate limit exceeded for {who}."
                raise github_error(self.github.status, message, PRIMARY_DOCS, headers=headers)
            if creates:
                self._create(who, now, headers)
            return headers

    def _create(self, who: str, now: float, headers: dict[str, str]) -> None:
        """Count one content-generating request, or refuse it over the secondary limits."""
        times = [t for t in self._content.get(who, []) if t > now - HOUR]
        self._content[who] = times
        last_minute = [t for t in times if t > now - MINUTE]
        if len(last_minute) >= self.github.content_per_minute:
            wait = last_minute[0] + MINUTE - now
        elif len(times) >= self.github.content_per_hour:
            wait = times[0] + HOUR - now
        else:
            times.append(now)
            return
        raise github_error(
            self.github.status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
            "again.",
            SECONDARY_DOCS,
            headers={**headers, "retry-after": str(max(1, math.ceil(wait)))},
        )
