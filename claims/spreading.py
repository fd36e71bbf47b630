"""Spreading a pile-up of due dates (after an archive import, say, every claim
due on one day): each chosen claim moves to the least-loaded day of its own
window (claims.scheduling.spread_due_dates), through claims.services.
claim_reschedule, so every move is one event and the caches follow; the
moves are written a batch per transaction (vigil.actions.batched).

Memory stays bounded whatever the number of claims: the chosen claims are
read in chunks by code, and the load is one count per editor and day
(claims.due_load).
"""

import datetime
import itertools
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from vigil.actions import batched

from .models import Claim, DueLoad
from .scheduling import (
    CADENCE_MAX_DAYS,
    ScheduledClaim,
    schedule_base,
    spread_due_dates,
    week_of,
)
from .services import ScheduleChanged, claim_reschedule

CHUNK_SIZE = 2000
# Moves written per transaction (vigil.actions.batched): a commit per claim
# was most of the cost, and a batch's claims stay locked until it commits.
BATCH_SIZE = 200


def _reach(window_percent):
    """How far a claim can move: at most its window's width."""
    return datetime.timedelta(days=2 * CADENCE_MAX_DAYS * window_percent // 100)


@dataclass
class SpreadReport:
    considered: int = 0
    moved: int = 0
    skipped: int = 0  # moved by someone else while spreading ran
    before: dict = field(default_factory=dict)  # {date: claims due} over the reach
    after: dict = field(default_factory=dict)

    def per_week(self, load):
        weeks = {}
        for day, count in load.items():
            weeks[week_of(day)] = weeks.get(week_of(day), 0) + count
        return weeks

    def weeks(self):
        """(week's Monday, due before, due after, busiest day before, after), by week."""
        before, after = self.per_week(self.before), self.per_week(self.after)
        rows = []
        for monday in sorted(set(before) | set(after)):
            days = [monday + datetime.timedelta(days=n) for n in range(7)]
            rows.append(
                (
                    monday,
                    before.get(monday, 0),
                    after.get(monday, 0),
                    max(self.before.get(day, 0) for day in days),
                    max(self.after.get(day, 0) for day in days),
                )
            )
        return [row for row in rows if row[1] or row[2]]

    @property
    def busiest_before(self):
        return max(self.before.values(), default=0)

    @property
    def busiest_after(self):
        return max(self.after.values(), default=0)


def _loads(start, end):
    """{editor id: {date: claims due}} from `start` to `end`, with None for
    every claim (what an unassigned claim is balanced against): the kept
    counts (claims.due_load), the same the proposal reads."""
    loads = {None: {}}
    rows = DueLoad.objects.filter(day__range=(start, end)).exclude(due=0)
    for editor_id, day, due in rows.values_list("editor_id", "day", "due"):
        loads.setdefault(editor_id, {})[day] = due
    return loads


def _chosen(claims, chunk_size):
    """The chosen claims in code order, a chunk at a time, as ScheduledClaims."""
    last = ""
    while True:
        rows = list(
            claims.filter(code__gt=last)
            .order_by("code")
            .values_list(
                "pk",
                "code",
                "assigned_editor_id",
                "last_reviewed_on",
                "article__published_on",
                "next_review_due",
                "cadence_days",
            )[:chunk_size]
        )
        for pk, code, editor_id, reviewed_on, published_on, due_on, cadence_days in rows:
            yield ScheduledClaim(
                key=(pk, code),
                owner=editor_id,
                base=schedule_base(
                    last_reviewed_on=reviewed_on,
                    published_on=published_on,
                    due_on=due_on,
                    cadence_days=cadence_days,
                ),
                cadence_days=cadence_days,
                due_on=due_on,
            )
        if len(rows) < chunk_size:
            return
        last = rows[-1][1]


def claims_spread(
    *,
    due_from,
    due_to,
    editor,
    owner=None,
    unassigned=False,
    dry_run=False,
    reason="spreading a pile-up",
    chunk_size=CHUNK_SIZE,
    batch_size=BATCH_SIZE,
):
    """Re-spread the live claims due from `due_from` to `due_to` (optionally
    only `owner`'s, or only the unassigned ones) inside each one's window.
    `editor` is who acts. A dry run plans the same moves and writes nothing.
    Returns a SpreadReport of the load per day before and after."""
    today = timezone.localdate()
    claims = Claim.objects.active().filter(next_review_due__range=(due_from, due_to))
    if owner is not None:
        claims = claims.filter(assigned_editor=owner)
    elif unassigned:
        claims = claims.filter(assigned_editor__isnull=True)
    window_percent = settings.VIGIL["LOAD_WINDOW_PERCENT"]
    reach = _reach(window_percent)
    loads = _loads(max(due_from - reach, today), due_to + reach)
    report = SpreadReport(considered=claims.count(), before=dict(loads[None]))
    moves = spread_due_dates(
        _chosen(claims, chunk_size), loads=loads, window_percent=window_percent, today=today
    )
    while batch := list(itertools.islice(moves, batch_size)):
        if dry_run:
            report.moved += len(batch)
            continue
        # One transaction a batch, still one claim.reschedule event a claim.
        with batched():
            for scheduled, due_on in batch:
                try:
                    claim_reschedule(
                        claim=Claim(pk=scheduled.key[0]),
                        editor=editor,
                        due_on=due_on,
                        expected_due=scheduled.due_on,
                        reason=reason,
                    )
                except ScheduleChanged:
                    report.skipped += 1
                else:
                    report.moved += 1
    report.after = {day: due for day, due in loads[None].items() if due}
    return report
