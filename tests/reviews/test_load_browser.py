"""The forecast, spreading and the review form's proposed date in Chromium:
no axe-core violations, nothing scrolls sideways at 390 px, the charts draw,
and typing a cadence refreshes the proposed date (htmx)."""

import datetime
import json

import pytest
import time_machine

from reviews.models import EditorPreference, TimeAway
from tests.articles.test_rewrite_browser import signed_in_page
from tests.claims.test_spreading import pile
from tests.factories import make_claim, make_editor
from tests.test_accessibility import AXE

FROZEN = datetime.datetime(2026, 5, 6, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 6)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.fixture
def desk(browser, live_server):
    with time_machine.travel(FROZEN, tick=True):
        editor = make_editor(first_name="Edith", last_name="Marsh")
        other = make_editor(first_name="Omar", last_name="Field")
        EditorPreference.objects.create(user=editor, weekly_capacity=2)
        for n in range(12):
            make_claim(next_review_due=TODAY + datetime.timedelta(days=n * 3), assigned_editor=editor)
        TimeAway.objects.create(user=editor, starts_on=TODAY + datetime.timedelta(days=7), ends_on=TODAY + datetime.timedelta(days=14))
        pile(30, on=TODAY + datetime.timedelta(days=40))
        claim = make_claim(next_review_due=TODAY - datetime.timedelta(days=2), assigned_editor=other)
        yield {"editor": editor, "claim": claim, "browser": browser, "live_server": live_server}


def open_as(desk, width):
    page = signed_in_page(desk["browser"], desk["live_server"], desk["editor"])
    page.set_viewport_size({"width": width, "height": 900})
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_forecast_chart_draws_and_fits(desk, width):
    page = open_as(desk, width)
    page.goto("/desk/forecast/")
    charts = page.locator("figure.forecast__chart svg")
    assert charts.count() == 3
    box = charts.first.bounding_box()
    assert 0 < box["width"] <= width and box["height"] > 40
    assert page.locator(".forecast__bar--over").count() >= 1  # Edith: capacity 2
    assert page.get_by_text("over in", exact=False).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.close()


@pytest.mark.parametrize(
    "path",
    ["/desk/forecast/", "/desk/spread/?due_from=2026-06-15", "/desk/preferences/", "review"],
)
def test_new_desk_pages_have_no_axe_violations_and_fit_390px(desk, path):
    if path == "review":
        path = f"/desk/claims/{desk['claim'].code}/review/"
    signed_in = open_as(desk, 1280)
    # axe is injected, so its page bypasses the CSP; same session cookie.
    context = desk["browser"].new_context(base_url=desk["live_server"].url, bypass_csp=True)
    context.add_cookies(signed_in.context.cookies())
    signed_in.context.close()
    page = context.new_page()
    assert page.goto(path).status == 200
    found = violations(page)
    assert found == [], json.dumps(found)
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_typing_a_cadence_refreshes_the_proposed_date(desk):
    page = open_as(desk, 390)
    page.goto(f"/desk/claims/{desk['claim'].code}/review/")
    proposal = page.locator("#next-review-proposal")
    assert "(in 60 days)" in proposal.inner_text()
    page.get_by_label("Cadence (days to the next review)").fill("30")
    # The fragment is swapped in by htmx, whose request is this page's only wait.
    page.locator("#next-review-proposal", has_text="(in 30 days)").wait_for()
    assert "30–33 days out" in page.locator("#next-review-proposal").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
