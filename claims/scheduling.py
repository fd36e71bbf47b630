"""
Pure rules of the review schedule: the 30–90 day cadence, the next due date,
"due now", the due status (overdue / due soon / scheduled) and the countdown
text badges show. No database here; tested with plain dates.

The same rules as database filters are ClaimQuerySet.with_due_status(),
.overdue() and .due() (claims/models.py), built on due_soon_until().
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
    """When a claim reviewed on `reviewed_on` is due again."""
    return reviewed_on + datetime.timedelta(days=cadence_days)


def due_now(due_on, today):
    """The due date of a claim made due for review today (a trigger fired, an
    approved rewrite asks for a review). A claim already overdue keeps its
    earlier date, so making it due never makes it look less late."""
    return min(due_on, today)


def due_soon_until(today, due_soon_days):
    """The last due date that counts as "due soon" on `today`."""
    return today + datetime.timedelta(days=due_soon_days)


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
        """Overdue, due soon (within `due_soon_days`, today included) or scheduled."""
        if self.days < 0:
            return DueStatus.OVERDUE
        if self.days <= due_soon_days:
            return DueStatus.DUE_SOON
        return DueStatus.SCHEDULED
