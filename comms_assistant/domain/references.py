"""Incident references: INC-<year>-<number>, numbered from 1 each year."""

from __future__ import annotations


def format_reference(year: int, number: int) -> str:
    return f"INC-{year}-{number:04d}"


def reference_parts(reference: str) -> tuple[int, int]:
    """(year, number) of a reference made by format_reference."""
    _, year, number = reference.split("-")
    return int(year), int(number)
