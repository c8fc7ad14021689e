"""A daily trend chart as inline SVG, computed on the server (no chart library)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 720.0, 240.0
LEFT, RIGHT, TOP, BOTTOM = 40.0, 12.0, 14.0, 30.0


@dataclass(frozen=True)
class Series:
    name: str
    css: str
    points: str  # "x,y x,y …" for <polyline>


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    series: tuple[Series, ...]
    y_ticks: tuple[tuple[float, int], ...]  # (y, value)
    x_labels: tuple[tuple[float, str], ...]  # (x, label)
    baseline: float
    left: float
    right_edge: float


def _nice_max(value: int) -> int:
    if value <= 4:
        return 4
    step = 1
    while step * 10 < value:
        step *= 10
    for mult in (1, 2, 5, 10):
        if step * mult * 4 >= value:
            return step * mult * 4
    return value


def trend_chart(days, *, submitted_label: str, resolved_label: str) -> Chart | None:
    """``days``: items with ``day``, ``submitted`` and ``resolved``."""
    days = list(days)
    if not days:
        return None
    top = _nice_max(max(max(d.submitted, d.resolved) for d in days))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(days)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / top)

    def line(attr: str) -> str:
        return " ".join(f"{x(i):.1f},{y(getattr(d, attr)):.1f}" for i, d in enumerate(days))

    every = max(1, round(n / 8))
    labels = tuple((round(x(i), 1), d.day.strftime("%m-%d")) for i, d in enumerate(days) if i % every == 0)
    ticks = tuple((round(y(v), 1), v) for v in range(0, top + 1, top // 4))
    return Chart(
        WIDTH,
        HEIGHT,
        (
            Series(submitted_label, "s-submitted", line("submitted")),
            Series(resolved_label, "s-resolved", line("resolved")),
        ),
        ticks,
        labels,
        round(y(0), 1),
        LEFT,
        WIDTH - RIGHT,
    )
