"""What every benchmark section shares: its results, and the registry bench.py runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    section: str
    case: str
    value: float  # the median of the runs
    worst: float
    unit: str
    runs: int
    target: float | None = None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.value < self.target else "OVER TARGET"


@dataclass(frozen=True)
class Section:
    name: str
    about: str
    run: Callable[[bool], list[Result]]


SECTIONS: dict[str, Section] = {}


def section(name: str, about: str) -> Callable[[Callable[[bool], list[Result]]], Callable]:
    def register(run: Callable[[bool], list[Result]]) -> Callable[[bool], list[Result]]:
        SECTIONS[name] = Section(name, about, run)
        return run

    return register
