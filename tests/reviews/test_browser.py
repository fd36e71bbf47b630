"""An editor reviews an overdue claim in the browser; a reader then sees it."""

import datetime
import os
import re

import pytest
import time_machine
from playwright.sync_api import expect

from claims.models import Verdict
from tests.factories import make_article, make_claim, make_editor

# Playwright's sync API keeps an event loop running in this thread; Django's ORM
# refuses to run beside one unless told the test knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

NOW = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_reviews_an_overdue_claim_and_a_reader_sees_the_change(page, live_server, browser):
    with time_machine.travel(NOW, tick=True):
        make_editor(username="edith", first_name="Edith", last_name="Marsh")
        article = make_article(title="Why inference keeps getting cheaper")
        claim = make_claim(
            article=article,
            is_primary=True,
            verdict=Verdict.PARTIAL,
            statement="Inference prices per token halve every year.",
            next_review_due=datetime.date(2026, 4, 20),
        )
        make_claim(next_review_due=datetime.date(2026, 5, 10))  # due soon, listed after

        # The editor signs in and lands on the queue.
        page.goto("/desk/")
        expect(page.get_by_role("heading", name="Sign in to the editor desk")).to_be_visible()
        page.get_by_label("Username").fill("edith")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
        first_row = page.locator(".queue__table tbody tr").first
        expect(first_row).to_contain_text(claim.code)
        expect(first_row).to_contain_text("overdue 14d")

        # Reviews it with a changed verdict.
        first_row.get_by_role("link", name=re.compile("Review")).click()
        expect(page.get_by_role("heading", name=claim.statement)).to_be_visible()
        page.get_by_label("Not holding").check()
        page.get_by_label("Cadence (days to the next review)").fill("30")
        page.get_by_label("Reasoning").fill("List prices rose in two consecutive quarters.")
        page.get_by_role("button", name="Save review").click()
        expect(page.get_by_text(f"Review of {claim.code} saved.")).to_be_visible()
        expect(page.locator(".queue__table")).not_to_contain_text(claim.code)

        # A reader, in a fresh browser context, sees the new badge and timeline…
        reader = browser.new_context(base_url=live_server.url).new_page()
        reader.goto(f"/claims/{claim.code}/")
        badge = reader.locator(".badge").first
        expect(badge).to_contain_text("Not holding")
        expect(badge).to_contain_text("reviewed 4 May 2026")
        expect(badge).to_contain_text("next +30d")
        expect(reader.locator("svg.timeline__chart .timeline__mark--not_holding")).to_have_count(1)
        expect(reader.get_by_text("List prices rose in two consecutive quarters.")).to_be_visible()

        # …and the dated verdict change in the article's correction log.
        reader.get_by_role("link", name="Why inference keeps getting cheaper").first.click()
        log = reader.locator(".correction-log")
        expect(log).to_contain_text("4 May 2026")
        expect(log).to_contain_text("Verdict change")
        expect(log).to_contain_text(f"Verdict on {claim.code} changed from Partial to Not holding")
        reader.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_queue_filters_swap_the_table_and_keep_a_shareable_url(page):
    with time_machine.travel(NOW, tick=True):
        editor = make_editor(username="edith")
        holding = make_claim(verdict=Verdict.HOLDING, next_review_due=datetime.date(2026, 5, 1))
        partial = make_claim(verdict=Verdict.PARTIAL, next_review_due=datetime.date(2026, 5, 2))
        page.goto("/accounts/login/?next=/desk/")
        page.get_by_label("Username").fill(editor.username)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".queue__table")).to_contain_text(partial.code)

        # htmx loads deferred: wait for it, or the change event has no listener yet.
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__same_document = true")
        page.get_by_label("Verdict").select_option("holding")
        expect(page.locator(".queue__table")).not_to_contain_text(partial.code)
        expect(page.locator(".queue__table")).to_contain_text(holding.code)
        expect(page).to_have_url(re.compile(r"/desk/\?.*verdict=holding"))
        # htmx swapped the table in place: no full page load happened.
        assert page.evaluate("window.__same_document") is True

        # The pushed URL is shareable: loading it afresh gives the same table.
        page.reload()
        expect(page.locator(".queue__table")).not_to_contain_text(partial.code)
        expect(page.get_by_label("Verdict")).to_have_value("holding")

        # Back after two filters: the filters and the table agree (they used to show
        # "All" over a filtered table, from htmx's history snapshot).
        page.goto("/desk/")
        page.wait_for_function("() => window.htmx !== undefined")
        page.get_by_label("Verdict").select_option("holding")
        expect(page).to_have_url(re.compile(r"verdict=holding"))
        page.get_by_label("Verdict").select_option("partial")
        expect(page.locator(".queue__table")).to_contain_text(partial.code)
        expect(page).to_have_url(re.compile(r"verdict=partial"))
        page.go_back()
        expect(page).to_have_url(re.compile(r"verdict=holding"))
        expect(page.get_by_label("Verdict")).to_have_value("holding")
        expect(page.locator(".queue__table")).not_to_contain_text(partial.code)
        # That Back reloaded the page from its URL; a second Back before htmx has
        # loaded again would find no listener (a person cannot click that fast).
        page.wait_for_function("() => window.htmx !== undefined")
        page.go_back()
        expect(page.get_by_label("Verdict")).to_have_value("")
        expect(page.locator(".queue__table")).to_contain_text(partial.code)
