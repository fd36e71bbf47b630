"""A reader opens the home page, follows an article and reads its badge and correction log."""

import datetime
import zoneinfo

import pytest
import time_machine

from claims.models import Verdict
from corrections.models import CorrectionEntry
from tests.factories import make_article, make_claim, make_correction, make_pillar

NOON = datetime.datetime(2026, 6, 25, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture
def frozen_day():
    # tick=True: the clock moves on from noon, so the browser's own timers keep working.
    with time_machine.travel(NOON, tick=True):
        yield


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_follows_an_article_and_reads_badge_and_correction_log(frozen_day, page):
    pillar = make_pillar(name="Cloud economics")
    make_article(title="An older piece on egress", pillar=pillar, published_on=datetime.date(2026, 3, 1))
    article = make_article(
        title="Commitment discounts are turning into lock-in",
        pillar=pillar,
        published_on=datetime.date(2026, 5, 1),
    )
    claim = make_claim(
        article=article,
        is_primary=True,
        verdict=Verdict.PARTIAL,
        last_reviewed_on=datetime.date(2026, 4, 27),
        next_review_due=datetime.date(2026, 8, 23),
    )
    make_correction(
        article=article,
        kind=CorrectionEntry.Kind.CORRECTION,
        entry_on=datetime.date(2026, 5, 20),
        text="An earlier version gave the longest term as five years; it is three.",
    )

    page.goto("/")
    title_link = page.get_by_role("link", name="Commitment discounts are turning into lock-in")
    card = page.locator("main article", has=title_link)
    # The due date is read out on small badges too (visually hidden there).
    assert " ".join(card.locator(".badge").inner_text().split()) == (
        "Partial · reviewed 27 Apr 2026 · next +59d (due 23 Aug 2026)"
    )

    older = page.locator("main article", has=page.get_by_role("link", name="An older piece on egress"))
    assert older.locator(".badge").count() == 0  # no claim, no badge
    title_link.click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Commitment discounts are turning into lock-in"
    assert page.locator(".meta-line .claim-code").inner_text() == claim.code

    # The large badge spells out the due date: nothing hides in a tooltip.
    badge = page.locator(".article__header .badge")
    assert " ".join(badge.inner_text().split()) == "Partial · reviewed 27 Apr 2026 · next +59d (due 23 Aug 2026)"

    log = page.get_by_role("region", name="Correction log")
    entries = log.get_by_role("listitem")
    assert entries.count() == 1
    text = " ".join(entries.first.inner_text().split())
    assert text.startswith("20 May 2026")
    assert "CORRECTION" in text.upper()
    assert "An earlier version gave the longest term as five years; it is three." in text

    assert page.get_by_text("1 other piece in this pillar.").is_visible()
