"""Fault rules: which requests to break, how, how often and until when.

A rule is plain data (JSON from `COMMS_ASSISTANT_SANDBOX_FAULTS` or `POST /_sandbox/faults`):

    {"method": "POST", "path": "/sendMail$", "status": 503, "retry_after": 1, "times": 3}

- `method`: an HTTP method or "*" (default). `path`: a regular expression *searched* in the
  decoded request path, case-insensitively (default: every path).
- What happens: `status` (answer with Graph's OData error body; `code`, `message` optional,
  `retry_after` adds a Retry-After header), `delay` (seconds to wait first), `drop` (close the
  connection without an answer), `after` (do the work first, then fail or drop: "accept then
  fail"), `edit` (before the request runs, a person appends this paragraph to the document the
  request addresses, so its eTag moves and an `If-Match` write gets 412).
- How often: `times` (the first N matching requests), `probability` (0..1; `seed` makes it
  repeatable). Until when: `until` (ISO 8601 or epoch seconds) or `for` (seconds from now).

Only the first live rule that matches a request applies. This module decides; `control.py` acts.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

ENV_VAR = "COMMS_ASSISTANT_SANDBOX_FAULTS"
_KEYS = {
    "id", "method", "path", "status", "code", "message", "retry_after", "delay", "drop",
    "after", "edit", "times", "probability", "seed", "until", "for",
}  # fmt: skip
_DEFAULT_CODES = {
    408: "requestTimeout",
    412: "preconditionFailed",
    423: "resourceLocked",
    429: "TooManyRequests",
    500: "generalException",
    502: "badGateway",
    503: "serviceNotAvailable",
    504: "gatewayTimeout",
}


class FaultError(ValueError):
    """A rule that cannot be understood; the message says which field and why."""


@dataclass
class FaultRule:
    id: str
    method: str = "*"
    path: str = ""
    status: int | None = None
    code: str | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    after: bool = False
    edit: str | None = None
    times: int | None = None
    probability: float = 1.0
    seed: int | None = None
    until: float | None = None
    hits: int = 0
    _pattern: re.Pattern[str] = field(default=re.compile(""), repr=False)
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def error_code(self) -> str:
        return self.code or _DEFAULT_CODES.get(self.status or 0, "serviceNotAvailable")

    def live(self, now: float) -> bool:
        exhausted = self.times is not None and self.hits >= self.times
        return not exhausted and (self.until is None or now < self.until)

    def matches(self, method: str, path: str) -> bool:
        wanted = self.method.upper()
        return wanted in {"*", method.upper()} and self._pattern.search(path) is not None

    def to_json(self, now: float) -> dict[str, Any]:
        body = {k: v for k, v in asdict(self).items() if not k.startswith("_") and v is not None}
        body["live"] = self.live(now)
        return body


def _number(raw: dict[str, Any], key: str, kind: type, low: float | None = 0) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"'{key}' must be a number, got {value!r}")
    if low is not None and value < low:
        raise FaultError(f"'{key}' must be at least {low}, got {value!r}")
    return kind(value)


def parse_until(raw: dict[str, Any], now: float) -> float | None:
    if raw.get("for") is not None:
        return now + _number(raw, "for", float)
    value = raw.get("until")
    if value is None or isinstance(value, int | float):
        return _number(raw, "until", float)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise FaultError(f"'until' must be ISO 8601 or epoch seconds, got {value!r}") from exc


def parse_rule(raw: Any, now: float) -> FaultRule:
    if not isinstance(raw, dict):
        raise FaultError(f"a fault rule must be a JSON object, got {raw!r}")
    unknown = set(raw) - _KEYS
    if unknown:
        raise FaultError(f"unknown fault rule field(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    status = _number(raw, "status", int, 100)
    if status is not None and status < 400:
        raise FaultError(f"'status' must be an error status (400-599), got {status}")
    rule = FaultRule(
        id=str(raw.get("id") or secrets.token_hex(4)),
        method=str(raw.get("method") or "*"),
        path=str(raw.get("path") or ""),
        status=status,
        code=raw.get("code"),
        message=raw.get("message"),
        retry_after=_number(raw, "retry_after", float),
        delay=_number(raw, "delay", float) or 0.0,
        drop=bool(raw.get("drop", False)),
        after=bool(raw.get("after", False)),
        edit=raw.get("edit"),
        times=_number(raw, "times", int, 1),
        probability=_number(raw, "probability", float) if "probability" in raw else 1.0,
        seed=_number(raw, "seed", int, None),
        until=parse_until(raw, now),
    )
    if not 0 <= rule.probability <= 1:
        raise FaultError(f"'probability' must be between 0 and 1, got {rule.probability}")
    if rule.status is None and not (rule.drop or rule.delay or rule.edit):
        raise FaultError("a rule needs at least one of 'status', 'drop', 'delay' or 'edit'")
    if rule.after and rule.status is None and not rule.drop:
        raise FaultError("'after' needs 'status' or 'drop': what goes wrong after the work")
    try:
        rule._pattern = re.compile(rule.path, re.IGNORECASE)
    except re.error as exc:
        raise FaultError(f"'path' is not a regular expression: {exc}") from exc
    rule._random = random.Random(rule.seed)
    return rule


def parse_rules(text_or_data: Any, now: float) -> list[FaultRule]:
    """Rules from JSON text or data: a list of rules, one rule, or {"rules": [...]}."""
    data = text_or_data
    if isinstance(text_or_data, str | bytes):
        try:
            data = json.loads(text_or_data)
        except json.JSONDecodeError as exc:
            raise FaultError(f"fault rules are not valid JSON: {exc}") from exc
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise FaultError("fault rules must be a JSON list of rule objects")
    return [parse_rule(raw, now) for raw in data]


class FaultSet:
    """The rules in force. Used from the server's loop and from a test's thread, hence the lock."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str, now: float) -> FaultRule | None:
        """The rule that fires for this request, counting it as a hit; None lets it through."""
        with self._lock:
            for rule in self._rules:
                if not rule.live(now) or not rule.matches(method, path):
                    continue
                if rule.probability < 1 and rule._random.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None
