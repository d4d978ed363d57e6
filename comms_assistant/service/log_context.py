"""The incident and delivery a log line is about, set once where the work starts.

The dispatcher sets them for each delivery it makes (through its observer) and CommandService
for each command; a filter on the log handlers (entrypoints/logs.py) copies them onto every
record written meanwhile, so no log call has to name them. Each asyncio task and thread has its
own copy (contextvars), so deliveries made together never mix theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

_incident: ContextVar[str | None] = ContextVar("incident", default=None)
_delivery: ContextVar[int | None] = ContextVar("delivery", default=None)


@contextmanager
def about(*, incident: str | None = None, delivery: int | None = None) -> Iterator[None]:
    """Log lines written inside are about this incident (its reference) and delivery (its id);
    one not given keeps what an outer `about` set."""
    tokens: list[tuple[ContextVar[Any], Token[Any]]] = []
    if incident is not None:
        tokens.append((_incident, _incident.set(incident)))
    if delivery is not None:
        tokens.append((_delivery, _delivery.set(delivery)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current() -> tuple[str | None, int | None]:
    """(incident reference, delivery id) of the work under way, None where there is none."""
    return _incident.get(), _delivery.get()
