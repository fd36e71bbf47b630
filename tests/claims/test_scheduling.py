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
    cadence_is_valid,
    due_now,
    due_soon_until,
    next_due,
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
        assert "Partial</span>" in text
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
