"""Cadence, due dates and countdown text: the pure rules, then the badge a reader
sees around day boundaries in the publication's time zone (Europe/London)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.template import Context, Template

from claims.models import Verdict
from claims.scheduling import (
    Countdown,
    DueStatus,
    ScheduledClaim,
    cadence_is_valid,
    due_now,
    due_soon_until,
    load_window,
    next_due,
    proposed_due,
    spread_due_dates,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC


class TestCadence:
    @pytest.mark.parametrize("days, valid", [(29, False), (30, True), (60, True), (90, True), (91, False)])
    def test_cadence_between_30_and_90_inclusive(self, days, valid):
        assert cadence_is_valid(days) is valid

    def test_next_due_adds_the_cadence(self):
        assert next_due(datetime.date(2026, 4, 27), 59) == datetime.date(2026, 6, 25)


class TestDueNow:
    def test_a_claim_due_later_becomes_due_today(self):
        assert due_now(datetime.date(2026, 8, 1), datetime.date(2026, 6, 25)) == datetime.date(2026, 6, 25)

    def test_an_overdue_claim_keeps_its_date_and_never_looks_less_late(self):
        assert due_now(datetime.date(2026, 6, 20), datetime.date(2026, 6, 25)) == datetime.date(2026, 6, 20)

    def test_due_soon_ends_the_window_after_today(self):
        assert due_soon_until(datetime.date(2026, 6, 25), 7) == datetime.date(2026, 7, 2)


class TestCountdownText:
    @pytest.mark.parametrize(
        "due, text, spoken",
        [
            (datetime.date(2026, 8, 23), "next +59d", "next review in 59 days"),
            (datetime.date(2026, 6, 26), "next +1d", "next review tomorrow"),
            (datetime.date(2026, 6, 25), "due today", "review due today"),
            (datetime.date(2026, 6, 24), "overdue 1d", "review overdue by 1 day"),
            (datetime.date(2026, 6, 22), "overdue 3d", "review overdue by 3 days"),
        ],
    )
    def test_text_and_spoken(self, due, text, spoken):
        countdown = Countdown.between(datetime.date(2026, 6, 25), due)
        assert countdown.text == text
        assert countdown.spoken == spoken

    @pytest.mark.parametrize(
        "days, status",
        [(-1, DueStatus.OVERDUE), (0, DueStatus.DUE_SOON), (7, DueStatus.DUE_SOON), (8, DueStatus.SCHEDULED)],
    )
    def test_status_against_due_soon_window(self, days, status):
        assert Countdown(days).status(7) is status


@pytest.mark.django_db
class TestDueStatusOneRule:
    """The due status as a filter (ClaimQuerySet.with_due_status) and as a
    value (Claim.due_status, the badge's and the API's) never disagree."""

    def test_filter_and_value_agree_on_every_day_around_the_window(self, settings):
        from claims.models import Claim
        from tests.factories import make_claim

        settings.VIGIL = {**settings.VIGIL, "DUE_SOON_DAYS": 7}
        today = datetime.date(2026, 6, 25)
        claims = [make_claim(next_review_due=today + datetime.timedelta(days=d)) for d in range(-2, 11)]
        for status in DueStatus:
            filtered = set(Claim.objects.with_due_status(status, on=today))
            assert filtered == {claim for claim in claims if claim.due_status(today) == status}, status
        assert set(Claim.objects.overdue(on=today)) == set(
            Claim.objects.with_due_status(DueStatus.OVERDUE, on=today)
        )

    def test_an_unknown_status_is_an_error_not_everything(self):
        from claims.models import Claim

        with pytest.raises(ValueError):
            Claim.objects.with_due_status("someday")


def badge_text(claim):
    html = Template("{% load verdicts %}{% verdict_badge claim %}").render(Context({"claim": claim}))
    return " ".join(html.split())


@pytest.fixture
def claim(db):
    from tests.factories import make_claim

    return make_claim(
        verdict=Verdict.PARTIAL,
        last_reviewed_on=datetime.date(2026, 4, 27),
        next_review_due=datetime.date(2026, 6, 25),
    )


@pytest.mark.django_db
class TestBadgeAroundMidnight:
    """The badge turns over at midnight London time, not UTC."""

    def test_one_minute_before_midnight_it_is_still_tomorrow(self, claim):
        with time_machine.travel(datetime.datetime(2026, 6, 24, 23, 59, tzinfo=LONDON), tick=False):
            assert ">next +1d</time>" in badge_text(claim)

    def test_at_midnight_it_is_due_today(self, claim):
        with time_machine.travel(datetime.datetime(2026, 6, 25, 0, 0, tzinfo=LONDON), tick=False):
            assert ">due today</time>" in badge_text(claim)

    def test_summer_midnight_in_london_is_23_00_utc(self, claim):
        # 24 Jun 23:30 UTC is already 25 Jun 00:30 in London (BST).
        with time_machine.travel(datetime.datetime(2026, 6, 24, 23, 30, tzinfo=UTC), tick=False):
            assert ">due today</time>" in badge_text(claim)

    def test_last_minute_of_the_due_day_then_overdue(self, claim):
        with time_machine.travel(datetime.datetime(2026, 6, 25, 23, 59, tzinfo=LONDON), tick=False):
            assert ">due today</time>" in badge_text(claim)
        with time_machine.travel(datetime.datetime(2026, 6, 26, 0, 0, tzinfo=LONDON), tick=False):
            text = badge_text(claim)
            assert ">overdue 1d</time>" in text
            assert "badge--overdue" in text

    def test_overdue_3d(self, claim):
        with time_machine.travel(datetime.datetime(2026, 6, 28, 9, 0, tzinfo=LONDON), tick=False):
            assert ">overdue 3d</time>" in badge_text(claim)

    def test_next_plus_59d_reads_like_the_reference(self, claim):
        with time_machine.travel(datetime.datetime(2026, 4, 27, 12, 0, tzinfo=LONDON), tick=False):
            text = badge_text(claim)
        assert "Partial</a>" in text
        assert "reviewed <time datetime=\"2026-04-27\">27 Apr 2026</time>" in text
        assert ">next +59d</time>" in text


@pytest.mark.django_db
class TestBadgeOnClockChangeDays:
    """Days are calendar days in London, so a 23- or 25-hour day still counts as one."""

    @pytest.fixture
    def claim_due_30_mar(self):
        from tests.factories import make_claim

        return make_claim(next_review_due=datetime.date(2026, 3, 30), last_reviewed_on=datetime.date(2026, 1, 29))

    @pytest.fixture
    def claim_due_26_oct(self):
        from tests.factories import make_claim

        return make_claim(next_review_due=datetime.date(2026, 10, 26), last_reviewed_on=datetime.date(2026, 8, 27))

    def test_spring_forward_day(self, claim_due_30_mar):
        # Clocks go forward at 01:00 GMT on Sunday 29 Mar 2026.
        with time_machine.travel(datetime.datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), tick=False):
            assert ">next +1d</time>" in badge_text(claim_due_30_mar)
        with time_machine.travel(datetime.datetime(2026, 3, 29, 23, 59, tzinfo=LONDON), tick=False):
            assert ">next +1d</time>" in badge_text(claim_due_30_mar)
        # 29 Mar 23:00 UTC is 30 Mar 00:00 BST: the due day has begun.
        with time_machine.travel(datetime.datetime(2026, 3, 29, 23, 0, tzinfo=UTC), tick=False):
            assert ">due today</time>" in badge_text(claim_due_30_mar)

    def test_fall_back_day(self, claim_due_26_oct):
        # Clocks go back at 02:00 BST on Sunday 25 Oct 2026.
        with time_machine.travel(datetime.datetime(2026, 10, 25, 23, 59, tzinfo=LONDON), tick=False):
            assert ">next +1d</time>" in badge_text(claim_due_26_oct)
        # After the change London is on GMT again: 25 Oct 23:59 UTC is still 25 Oct.
        with time_machine.travel(datetime.datetime(2026, 10, 25, 23, 59, tzinfo=UTC), tick=False):
            assert ">next +1d</time>" in badge_text(claim_due_26_oct)
        with time_machine.travel(datetime.datetime(2026, 10, 26, 0, 0, tzinfo=UTC), tick=False):
            assert ">due today</time>" in badge_text(claim_due_26_oct)

    def test_winter_midnight_is_midnight_utc(self, claim_due_26_oct):
        # In GMT, 23:30 UTC is still the day before.
        with time_machine.travel(datetime.datetime(2026, 10, 26, 23, 30, tzinfo=UTC), tick=False):
            assert ">due today</time>" in badge_text(claim_due_26_oct)


class TestProposedDue:
    """The least-loaded day in the window around the cadence (claims.scheduling)."""

    BASE = datetime.date(2026, 5, 4)

    def on(self, days):
        return self.BASE + datetime.timedelta(days=days)

    def propose(self, cadence_days, load, window_percent=10, **kwargs):
        return proposed_due(
            base=self.BASE, cadence_days=cadence_days, load=load, window_percent=window_percent, **kwargs
        )

    def test_window_is_the_share_of_the_cadence_either_side(self):
        assert load_window(60, 10) == (54, 66)
        assert load_window(45, 10) == (41, 49)  # 4.5 days rounds down: never wider than asked
        assert load_window(60, 0) == (60, 60)

    @pytest.mark.parametrize("cadence, percent, window", [(30, 10, (30, 33)), (90, 10, (81, 90)), (85, 50, (43, 90))])
    def test_window_never_leaves_30_to_90_days(self, cadence, percent, window):
        assert load_window(cadence, percent) == window

    def test_with_no_load_the_chosen_cadence_itself(self):
        assert self.propose(60, {}) == self.on(60)

    def test_the_least_loaded_day_in_the_window(self):
        load = {self.on(days): 5 for days in range(54, 67)}
        load[self.on(57)] = 2
        load[self.on(63)] = 3
        assert self.propose(60, load) == self.on(57)

    def test_days_outside_the_window_do_not_count(self):
        load = {self.on(days): 5 for days in range(54, 67)}
        load[self.on(53)] = 0
        load[self.on(67)] = 0
        assert self.propose(60, load) in {self.on(days) for days in range(54, 67)}

    def test_ties_go_to_the_day_nearest_the_cadence_then_the_earlier(self):
        load = {self.on(days): 4 for days in range(54, 67)}
        load[self.on(56)] = load[self.on(64)] = load[self.on(65)] = 1
        assert self.propose(60, load) == self.on(56)  # 56 and 64 both 4 days away: the earlier
        load[self.on(56)] = 4
        assert self.propose(60, load) == self.on(64)

    def test_same_inputs_same_date_whatever_the_order_of_the_load(self):
        days = list(range(54, 67))
        load = {self.on(d): (d * 7) % 3 for d in days}
        shuffled = dict(reversed(list(load.items())))
        assert self.propose(60, load) == self.propose(60, shuffled)

    @pytest.mark.parametrize("cadence", [30, 31, 45, 60, 89, 90])
    def test_every_proposal_is_30_to_90_days_out(self, cadence):
        # The days nearest the cadence are full: the proposal goes to the window's edge.
        load = {self.on(d): 100 - abs(d - cadence) for d in range(0, 120)}
        assert cadence_is_valid((self.propose(cadence, load, window_percent=50) - self.BASE).days)

    def test_not_before_leaves_out_the_earlier_days(self):
        assert self.propose(60, {}, not_before=self.on(62)) == self.on(62)
        assert self.propose(60, {}, not_before=self.on(67)) is None


class TestSpreadDueDates:
    TODAY = datetime.date(2026, 5, 4)

    def pile(self, count, *, due, owner=None, cadence=60):
        return [
            ScheduledClaim(key=n, owner=owner, base=due - datetime.timedelta(days=cadence), cadence_days=cadence, due_on=due)
            for n in range(count)
        ]

    def test_a_pile_spreads_evenly_over_the_window(self):
        due = datetime.date(2026, 6, 15)
        claims = self.pile(1000, due=due)
        loads = {None: {due: 1000}}
        moves = dict(spread_due_dates(claims, loads=loads, window_percent=10, today=self.TODAY))
        window = [due + datetime.timedelta(days=d) for d in range(-6, 7)]
        assert set(loads[None]) <= set(window)
        # 1,000 claims over 13 days: a fair share is 77 (76.9), and no day holds more.
        assert max(loads[None].values()) == 77
        assert sum(loads[None].values()) == 1000
        assert len(moves) == 1000 - loads[None][due]

    def test_an_editors_claims_are_balanced_against_that_editors_load(self):
        due = datetime.date(2026, 6, 15)
        # The editor has a full day just before the pile; everyone else's load is elsewhere.
        loads = {None: {due: 3, due - datetime.timedelta(days=1): 50}, 7: {due: 3, due - datetime.timedelta(days=1): 50}}
        moves = [new for _, new in spread_due_dates(self.pile(3, due=due, owner=7), loads=loads, window_percent=10, today=self.TODAY)]
        assert due - datetime.timedelta(days=1) not in moves
        assert moves == [due + datetime.timedelta(days=1), due - datetime.timedelta(days=2)]
        assert loads[None][due] == 1  # every editor's count follows too

    def test_claims_made_due_early_or_overdue_are_left_alone(self):
        base = datetime.date(2026, 4, 1)
        made_due = ScheduledClaim(key="trigger", owner=None, base=base, cadence_days=60, due_on=self.TODAY)
        overdue = ScheduledClaim(key="late", owner=None, base=base - datetime.timedelta(days=70), cadence_days=60, due_on=base)
        loads = {None: {self.TODAY: 40, base: 40}}
        assert list(spread_due_dates([made_due, overdue], loads=loads, window_percent=10, today=self.TODAY)) == []

    def test_never_into_the_past(self):
        claims = self.pile(10, due=self.TODAY)
        loads = {None: {self.TODAY: 10}}
        for _, new in spread_due_dates(claims, loads=loads, window_percent=10, today=self.TODAY):
            assert new >= self.TODAY
        assert max(loads[None].values()) == 2  # today and the 6 days after share 10

    def test_deterministic(self):
        due = datetime.date(2026, 6, 15)
        runs = [
            list(spread_due_dates(self.pile(200, due=due), loads={None: {due: 200}}, window_percent=10, today=self.TODAY))
            for _ in range(2)
        ]
        assert runs[0] == runs[1]
