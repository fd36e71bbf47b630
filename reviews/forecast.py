"""The desk's forecast: claims falling due per week for the next weeks, per
editor and unassigned, against each editor's weekly capacity, and the claims
due while an editor is away (offered for reassignment). A handful of grouped
reads, whatever the number of claims."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F

from claims.models import Claim
from claims.scheduling import week_of
from vigil.roles import display_name, editors

from .models import TimeAway

FORECAST_WEEKS = 13
# The chart's grid, in SVG units: one step per week, room for a count above
# each bar and a week number below.
CHART_STEP = 36
CHART_TOP = 18
CHART_BARS_HEIGHT = 80
CHART_BOTTOM = 18


@dataclass
class ForecastRow:
    """One editor's (or the unassigned claims') load: claims due per week."""

    label: str
    editor_id: object = None
    capacity: int | None = None
    is_editor: bool = True
    overdue: int = 0
    weeks: list = field(default_factory=list)

    @property
    def total(self):
        return sum(self.weeks)

    def over_capacity(self, week_index):
        return self.capacity is not None and self.weeks[week_index] > self.capacity

    def cells(self):
        """(count, over capacity?) per week, for the table and the chart."""
        return [(count, self.over_capacity(n)) for n, count in enumerate(self.weeks)]

    @property
    def weeks_over(self):
        return sum(over for _, over in self.cells())

    def chart(self):
        """The geometry of this row's bar chart (templates/reviews/forecast.html)."""
        scale = max([*self.weeks, self.capacity or 0, 1])
        bars = []
        for n, (count, over) in enumerate(self.cells()):
            height = round(count / scale * CHART_BARS_HEIGHT)
            bars.append(
                {
                    "x": n * CHART_STEP + 2,
                    "y": CHART_TOP + CHART_BARS_HEIGHT - height,
                    "height": height,
                    "count": count,
                    "over": over,
                    "label_x": n * CHART_STEP + CHART_STEP // 2,
                }
            )
        capacity_y = None
        if self.capacity is not None:
            capacity_y = CHART_TOP + CHART_BARS_HEIGHT - round(self.capacity / scale * CHART_BARS_HEIGHT)
        return {
            "bars": bars,
            "bar_width": CHART_STEP - 4,
            "capacity_y": capacity_y,
            "width": CHART_STEP * len(self.weeks),
            "height": CHART_TOP + CHART_BARS_HEIGHT + CHART_BOTTOM,
            "baseline_y": CHART_TOP + CHART_BARS_HEIGHT,
            "week_label_y": CHART_TOP + CHART_BARS_HEIGHT + CHART_BOTTOM - 4,
        }


@dataclass
class Forecast:
    today: datetime.date
    mondays: list
    rows: list
    away: list  # AwayOffer, soonest first

    @property
    def editors(self):
        """The rows of people who can take claims over: the reassignment choices."""
        return [row for row in self.rows if row.is_editor]

    @property
    def totals(self):
        return [sum(row.weeks[n] for row in self.rows) for n in range(len(self.mondays))]


@dataclass
class AwayOffer:
    """A period an editor is away, with their claims falling due in it."""

    time_away: TimeAway
    label: str
    claims: list


def forecast(*, today, weeks=FORECAST_WEEKS):
    """Claims due from `today` to the end of the `weeks`th week (this week
    first, weeks starting on Monday), by editor, plus each editor's overdue."""
    first = week_of(today)
    mondays = [first + datetime.timedelta(weeks=n) for n in range(weeks)]
    end = mondays[-1] + datetime.timedelta(days=6)
    live = Claim.objects.active().order_by()
    per_day = (
        live.filter(next_review_due__range=(today, end))
        .values_list("assigned_editor_id", "next_review_due")
        .annotate(due=Count("pk"))
    )
    overdue = dict(
        live.filter(next_review_due__lt=today)
        .values_list("assigned_editor_id")
        .annotate(due=Count("pk"))
    )
    rows = {
        user.pk: ForecastRow(display_name(user), user.pk, user.capacity, weeks=[0] * weeks)
        for user in editors()
        .annotate(capacity=F("editor_preference__weekly_capacity"))
        .order_by("first_name", "last_name", "username")
    }
    rows[None] = ForecastRow("Unassigned (everyone's)", is_editor=False, weeks=[0] * weeks)
    counts = list(per_day)
    missing = ({editor_id for editor_id, _, _ in counts} | set(overdue)) - set(rows)
    for user in get_user_model().objects.filter(pk__in=missing):
        # Claims still assigned to someone who is no longer an editor.
        label = f"{display_name(user)} (not an editor)"
        rows[user.pk] = ForecastRow(label, user.pk, is_editor=False, weeks=[0] * weeks)
    for editor_id, day, due in counts:
        rows[editor_id].weeks[(week_of(day) - first).days // 7] += due
    for editor_id, due in overdue.items():
        rows[editor_id].overdue = due
    ordered = [row for pk, row in rows.items() if pk is not None] + [rows[None]]
    away = away_offers(TimeAway.objects.not_over(today))
    return Forecast(today=today, mondays=mondays, rows=ordered, away=away)


def away_offers(time_away):
    """Each period in `time_away` with the claims assigned to its editor that
    fall due while they are away (one read for all of them)."""
    periods = list(time_away.select_related("user").order_by("starts_on", "pk"))
    if not periods:
        return []
    claims = list(
        Claim.objects.active()
        .filter(
            assigned_editor_id__in={period.user_id for period in periods},
            next_review_due__range=(
                min(period.starts_on for period in periods),
                max(period.ends_on for period in periods),
            ),
        )
        .select_related("article")
        .order_by("next_review_due", "code")
    )
    return [
        AwayOffer(
            time_away=period,
            label=display_name(period.user),
            claims=[
                claim
                for claim in claims
                if claim.assigned_editor_id == period.user_id
                and period.starts_on <= claim.next_review_due <= period.ends_on
            ],
        )
        for period in periods
    ]
