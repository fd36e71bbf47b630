"""A blind second review walked in Chromium: the second editor judges without
seeing the first verdict and disagrees, an admin settles it, and a reader's
claim page shows the settled review."""

import datetime

import pytest
import time_machine

from claims.models import Verdict
from reviews.models import SecondReview
from reviews.services import review_record
from tests.articles.test_rewrite_browser import signed_in_page
from tests.factories import make_admin, make_article, make_claim, make_editor

FROZEN = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sampled(settings):
    """Edith's review of a claim, sampled for a blind second review by Omar."""
    settings.VIGIL = {**settings.VIGIL, "SECOND_REVIEW_PERCENT": 100}
    with time_machine.travel(FROZEN, tick=True):
        first = make_editor(first_name="Edith", last_name="Marsh")
        second = make_editor(first_name="Omar", last_name="Field")
        admin = make_admin(first_name="Peter", last_name="Hale")
        claim = make_claim(
            article=make_article(title="Do models reason?", published_on=datetime.date(2026, 3, 1)),
            statement="Models reason about novel puzzles.",
            verdict=Verdict.PARTIAL,
            triggers=["A replication on novel puzzles."],
        )
        review = review_record(
            claim=claim,
            editor=first,
            verdict=Verdict.HOLDING,
            cadence_days=60,
            reasoning="FIRST-REASONING: the replication held.",
            evidence_considered="The 2026 replication",
        )
        assert review.second_review.reviewer == second
        yield {"first": first, "second": second, "admin": admin, "claim": claim}


def test_blind_second_review_disagrees_and_an_admin_settles_it(browser, live_server, sampled):
    claim = sampled["claim"]
    with time_machine.travel(FROZEN + datetime.timedelta(hours=1), tick=True):
        # Omar: the claim and its evidence, never the first verdict.
        page = signed_in_page(browser, live_server, sampled["second"])
        page.goto("/desk/second-reviews/")
        page.get_by_role("link", name=claim.code).click()
        page.get_by_role("heading", name="Models reason about novel puzzles.").wait_for()
        assert page.get_by_text("A replication on novel puzzles.").is_visible()
        assert page.get_by_text("The 2026 replication").is_visible()
        assert page.get_by_text("FIRST-REASONING").count() == 0
        assert page.locator(".badge").count() == 0  # the badge would show Edith's verdict
        assert page.locator("input[name=verdict]:checked").count() == 0
        assert page.get_by_role("link", name="Do models reason?").count() == 0
        page.get_by_label("Not holding").check()
        page.get_by_label("Reasoning").fill("SECOND-REASONING: it failed on the new set.")
        page.get_by_role("button", name="Save second review").click()
        assert page.get_by_text(f"Second review of {claim.code} saved.").is_visible()
        page.context.close()

        # Peter: the disagreement, both verdicts and reasonings, and his settlement.
        page = signed_in_page(browser, live_server, sampled["admin"])
        page.goto("/desk/second-reviews/")
        settle = page.locator("section", has=page.get_by_role("heading", name="Disagreements to settle"))
        assert "Edith Marsh said Holding, Omar Field said Not holding" in settle.inner_text()
        settle.get_by_role("link", name=claim.code).click()
        assert page.get_by_text("FIRST-REASONING: the replication held.").is_visible()
        assert page.get_by_text("SECOND-REASONING: it failed on the new set.").is_visible()
        page.get_by_label("Partial").check()
        page.get_by_label("Reasoning").fill("Holds for maths puzzles only.")
        page.get_by_role("button", name="Settle and record the review").click()
        assert page.get_by_text(f"Settled: the review of {claim.code} is recorded with both reasonings.").is_visible()
        assert page.get_by_text("No disagreement waits to be settled.").is_visible()
        page.context.close()

        # A reader: the settled verdict is the public one, with both reasonings kept.
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.goto(claim.get_absolute_url())
        badge = page.locator(".badge").first
        assert badge.inner_text().startswith("Partial")
        latest = page.locator(".review-entry").first
        for kept in (
            "Holds for maths puzzles only.",
            "FIRST-REASONING: the replication held.",
            "SECOND-REASONING: it failed on the new set.",
        ):
            assert kept in latest.inner_text()
        context.close()
    settled = SecondReview.objects.get()
    assert settled.settled_by == sampled["admin"] and settled.settled_review.verdict_after == Verdict.PARTIAL
