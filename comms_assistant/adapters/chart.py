"""The board report's chart: incidents by priority per month, and the share of updates sent on
time, as a PNG (matplotlib's Agg backend: no display, no network, no fonts fetched).

Colours are told apart by more than hue (a hatch per priority) and every bar and point is
labelled in the legend, so the chart reads in greyscale and for people who cannot tell red from
green; the document gives it alt text saying the same in words.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from comms_assistant.service.board_report import ChartData

_COLOURS = ("#d4351c", "#f47738", "#1d70b8", "#505a5f")  # GOV.UK red, orange, blue, grey
_HATCHES = ("//", "..", "", "xx")


def draw_chart(data: ChartData) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figure, bars = plt.subplots(figsize=(6.4, 2.4), dpi=150)
    try:
        months = list(data.months)
        bottoms = [0] * len(months)
        for index, (label, counts) in enumerate(data.counts.items()):
            bars.bar(
                months,
                counts,
                bottom=bottoms,
                label=label,
                color=_COLOURS[index % 4],
                hatch=_HATCHES[index % 4],
                edgecolor="white",
            )
            bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
        bars.set_ylabel("Incidents")
        bars.set_ylim(0, max([*bottoms, 1]) * 1.25)
        bars.yaxis.set_major_locator(MaxNLocator(integer=True))
        line = bars.twinx()
        shares = _percent(data.punctuality)
        line.plot(months, shares, color="black", marker="o", label="Updates on time (%)")
        line.set_ylim(0, 105)
        line.set_ylabel("Updates on time (%)")
        handles = bars.get_legend_handles_labels()
        more = line.get_legend_handles_labels()
        bars.legend(handles[0] + more[0], handles[1] + more[1], fontsize=7, loc="upper left")
        bars.set_title("Incidents by priority, and updates sent on time", fontsize=10)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()
    finally:
        plt.close(figure)


def _percent(shares: Sequence[float | None]) -> list[float]:
    # A month with no update due has no share: drawn as a gap, not as 0%.
    return [float("nan") if s is None else round(s * 100) for s in shares]
