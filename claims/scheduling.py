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


def schedule_base(*, last_reviewed_on, published_on, due_on, cadence_days):
    """The day a claim's schedule counts from: its last review, else its
    publication, else (a draft) a cadence before its due date."""
    return last_reviewed_on or published_on or due_on - datetime.timedelta(days=cadence_days)


def week_of(day):
    """The Monday of `day`'s week: load is planned and reported per week."""
    return day - datetime.timedelta(days=day.weekday())


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


def load_window(cadence_days, window_percent):
    """The cadences a load-balanced due date may use around the chosen one:
    ±`window_percent` of it (at least the cadence itself), never outside 30–90."""
    spread = cadence_days * window_percent // 100
    return (
        max(CADENCE_MIN_DAYS, cadence_days - spread),
        min(CADENCE_MAX_DAYS, cadence_days + spread),
    )


def proposed_due(*, base, cadence_days, load, window_percent, not_before=None):
    """The least-loaded day to review a claim next, counted from `base` (the
    day of the review or publication) around `cadence_days`.

    `load` maps a date to the claims already due that day (a missing date
    counts 0). Ties go to the day nearest the chosen cadence, then to the
    earlier day, so the same inputs always give the same date. Days before
    `not_before` (today, when spreading) are never proposed; None when the
    whole window lies before it.
    """
    shortest, longest = load_window(cadence_days, window_percent)
    candidates = [
        base + datetime.timedelta(days=days)
        for days in sorted(
            range(shortest, longest + 1), key=lambda days: (abs(days - cadence_days), days)
        )
    ]
    if not_before is not None:
        candidates = [day for day in candidates if day >= not_before]
    if not candidates:
        return None
    # min() keeps the first of equals, and the candidates are in tie-break order.
    return min(candidates, key=lambda day: load.get(day, 0))


@dataclass(frozen=True)
class ScheduledClaim:
    """What spreading needs to know of a claim: `owner` is its editor's id,
    None for an unassigned claim (balanced against every editor's load)."""

    key: object
    owner: object
    base: datetime.date
    cadence_days: int
    due_on: datetime.date


def spread_due_dates(claims, *, loads, window_percent, today):
    """Re-spread a pile-up: each claim in turn (the caller's order, for
    determinism) leaves its day and takes the least-loaded day of its own
    window, so the pile drains into the emptiest days around it. Yields
    (claim, new due date) for the claims that move.

    `loads` maps an owner to {date: claims due}, with None for all claims;
    it is updated as claims move. A claim due outside its window (made due
    by a fired trigger, or overdue) is left where it is: spreading never
    makes a claim look less late.
    """
    everyone = loads.setdefault(None, {})
    for claim in claims:
        shortest, longest = load_window(claim.cadence_days, window_percent)
        first = max(claim.base + datetime.timedelta(days=shortest), today)
        if not first <= claim.due_on <= claim.base + datetime.timedelta(days=longest):
            continue
        counters = [everyone] if claim.owner is None else [loads.setdefault(claim.owner, {}), everyone]
        for counter in counters:
            counter[claim.due_on] = counter.get(claim.due_on, 0) - 1
        new = proposed_due(
            base=claim.base,
            cadence_days=claim.cadence_days,
            load=counters[0],
            window_percent=window_percent,
            not_before=today,
        )
        for counter in counters:
            counter[new] = counter.get(new, 0) + 1
        if new != claim.due_on:
            yield claim, new
