"""A pillar's health: how its claims are holding up, as numbers and as the
geometry of a small bar chart. Pure: no database."""

from dataclasses import dataclass

BAR_WIDTH = 300
BAR_HEIGHT = 20


@dataclass(frozen=True)
class Segment:
    verdict: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Health:
    holding: int
    partial: int
    not_holding: int
    overdue: int

    @classmethod
    def of(cls, pillar):
        """From a pillar annotated by Pillar.objects.with_health()."""
        return cls(
            holding=pillar.holding_count,
            partial=pillar.partial_count,
            not_holding=pillar.not_holding_count,
            overdue=pillar.overdue_count,
        )

    @property
    def total(self):
        return self.holding + self.partial + self.not_holding

    @property
    def segments(self):
        """Bar segments left to right, widths proportional to the counts (empty ones left out)."""
        parts = [
            ("holding", "Holding", self.holding),
            ("partial", "Partial", self.partial),
            ("not_holding", "Not holding", self.not_holding),
        ]
        segments, x = [], 0.0
        for verdict, label, count in parts:
            if not count:
                continue
            width = round(BAR_WIDTH * count / self.total, 2)
            segments.append(Segment(verdict, label, count, round(x, 2), width))
            x += width
        return segments

    @property
    def summary(self):
        """The bar in words, for its text alternative."""
        if not self.total:
            return "No claims tracked yet."
        claims = "claim" if self.total == 1 else "claims"
        return (
            f"{self.total} {claims}: {self.holding} holding, {self.partial} partial, "
            f"{self.not_holding} not holding; {self.overdue} overdue for review."
        )
