"""Non-overlapping character spans, kept sorted, so each overlap test costs O(log n).

A text of a megabyte has tens of thousands of findings: testing each against every one kept so
far made the checker quadratic.
"""

from __future__ import annotations

from bisect import bisect_right, insort


class Spans:
    """Spans that do not overlap one another (a span overlapping one already kept is refused)."""

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(spans or ()):
            self.add(start, end)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) shares a character with a kept span."""
        index = bisect_right(self._starts, start)
        # The span starting at or before `start`, and the first one starting after it.
        if index and self._ends[index - 1] > start:
            return True
        return index < len(self._starts) and self._starts[index] < end

    def add(self, start: int, end: int) -> bool:
        """Keep [start, end) unless it overlaps a kept span; whether it was kept."""
        if self.overlaps(start, end):
            return False
        index = bisect_right(self._starts, start)
        if index == len(self._starts):
            self._starts.append(start)
            self._ends.append(end)
        else:
            insort(self._starts, start)
            self._ends.insert(index, end)
        return True


class Cover:
    """Spans that may overlap one another, asked only whether a span touches any of them."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._inner = Spans([(s, e) for s, e in merged])

    def overlaps(self, start: int, end: int) -> bool:
        return self._inner.overlaps(start, end)
