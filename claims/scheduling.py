"""
Pure rules of the review schedule: the 30–90 day cadence, due dates and the
countdown text badges show. No database here; tested with plain dates.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

CADENCE_MIN_DAYS = 30
CADENCE_MAX_DAYS = 90


class DueStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    SCHEDULED = "scheduled"


def cadence_is_valid(days):
    return CADENCE_MIN_DAYS <= days <= CADENCE_MAX_DAYS


def next_due(reviewed_on, cadence_days):
    return reviewed_on + datetime.timedelta(days=cadence_days)


@dataclass(frozen=True)
class Countdown:
    """Days from `today` to a due date: positive ahead, negative overdue."""

    days: int

    @classmethod
    def between(cls, today, due_on):
        return cls((due_on - today).days)

    @property
    def is_overdue(self):
        return self.days < 0

    @property
    def text(self):
        # Reads as in the badge: "next +59d", "due today", "overdue 3d".
        if self.days > 0:
            return f"next +{self.days}d"
        if self.days == 0:
            return "due today"
        return f"overdue {-self.days}d"

    @property
    def spoken(self):
        # For screen readers and title text, where "+59d" reads badly.
        if self.days > 1:
            return f"next review in {self.days} days"
        if self.days == 1:
            return "next review tomorrow"
        if self.days == 0:
            return "review due today"
        if self.days == -1:
            return "review overdue by 1 day"
        return f"review overdue by {-self.days} days"

    def status(self, due_soon_days):
        if self.days < 0:
            return DueStatus.OVERDUE
        if self.days <= due_soon_days:
            return DueStatus.DUE_SOON
        return DueStatus.SCHEDULED
