"""The verdict-history timeline on the claim page, as numbers for an inline SVG.

Pure: takes (date, verdict) pairs, one per review, oldest first, and returns
coordinates. The template draws them; no database and no request here.
Verdict is read three ways: height (Holding on top), shape (as on the badge:
filled circle, half-filled circle, diamond) and the text of each mark's title
and of the table beside the chart.
"""

import datetime
from dataclasses import dataclass

from .models import Verdict

# Top to bottom.
LEVELS = [Verdict.HOLDING, Verdict.PARTIAL, Verdict.NOT_HOLDING]
SHAPES = {Verdict.HOLDING: "circle", Verdict.PARTIAL: "half", Verdict.NOT_HOLDING: "diamond"}
MARK_RADIUS = 7


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    on: datetime.date
    verdict: str
    label: str
    shape: str

    @property
    def polygon(self):
        """Corner points of the diamond (SVG `points`)."""
        r = MARK_RADIUS + 1
        corners = [
            (self.x, self.y - r),
            (self.x + r, self.y),
            (self.x, self.y + r),
            (self.x - r, self.y),
        ]
        return " ".join(f"{_n(px)},{_n(py)}" for px, py in corners)

    @property
    def half_path(self):
        """The filled left half of the half-filled circle (SVG `d`)."""
        r = MARK_RADIUS
        return f"M{_n(self.x)},{_n(self.y - r)} A{r},{r} 0 0 0 {_n(self.x)},{_n(self.y + r)} Z"


@dataclass(frozen=True)
class Level:
    y: float
    verdict: str
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    on: datetime.date
    anchor: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    marks: list
    levels: list
    ticks: list
    path: str


def _n(value):
    """Short numbers in the SVG: 12.0 -> "12", 12.345 -> "12.3"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def build_timeline(points, *, width=640, height=190, left=130, right=24, top=24, bottom=40):
    """Lay out one mark per review and a step line between them (a verdict
    holds until the next review changes it). Returns None with no points."""
    points = sorted(points, key=lambda point: point[0])
    if not points:
        return None
    plot_left, plot_right = left, width - right
    plot_top, plot_bottom = top, height - bottom
    level_gap = (plot_bottom - plot_top) / (len(LEVELS) - 1)
    level_y = {verdict: plot_top + index * level_gap for index, verdict in enumerate(LEVELS)}

    first, last = points[0][0], points[-1][0]
    span = (last - first).days

    def x_of(day):
        if span == 0:
            return (plot_left + plot_right) / 2
        return plot_left + (day - first).days / span * (plot_right - plot_left)

    marks = [
        Mark(
            x=round(x_of(on), 1),
            y=round(level_y[Verdict(verdict)], 1),
            on=on,
            verdict=str(verdict),
            label=Verdict(verdict).label,
            shape=SHAPES[Verdict(verdict)],
        )
        for on, verdict in points
    ]
    steps = [f"M{_n(marks[0].x)},{_n(marks[0].y)}"]
    for previous, mark in zip(marks, marks[1:], strict=False):
        steps.append(f"H{_n(mark.x)}")
        if mark.y != previous.y:
            steps.append(f"V{_n(mark.y)}")
    ticks = [Tick(x=marks[0].x, on=first, anchor="start" if span else "middle")]
    if span:
        ticks.append(Tick(x=marks[-1].x, on=last, anchor="end"))
    return Timeline(
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        marks=marks,
        levels=[Level(y=round(level_y[v], 1), verdict=str(v), label=v.label) for v in LEVELS],
        ticks=ticks,
        path=" ".join(steps),
    )
