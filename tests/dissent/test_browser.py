"""A reader sends dissent with a source; an editor weighs it material; the article shows it."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_article, make_claim, make_editor

from .helpers import ARGUMENT


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; the ORM calls
    of this module (data set-up, the database flush after it) are still plain
    synchronous code, so Django's async-safety check must stand aside."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def sign_in(page, live_server, user):
    """Sign in by handing the browser a session made by force_login."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reader_dissent_is_weighed_material_and_shown_in_the_change_history(
    django_db_setup, live_server, page
):
    # django_db_setup first: the test database must exist before playwright starts its event loop.
    article = make_article(title="What the survey shows", slug="what-the-survey-shows")
    claim = make_claim(article=article, is_primary=True, statement="Most firms now use the tool.")
    editor = make_editor()

    # The reader follows the link from the article to the dissent form.
    page.goto(f"/articles/{article.slug}/")
    page.get_by_role("link", name="Submit reasoned dissent").click()
    page.get_by_role("heading", name="Submit reasoned dissent").wait_for()
    assert page.get_by_text("This is not a corrections form").is_visible()

    argument = page.get_by_label("Your argument")
    argument.fill("Too short.")
    counter = page.locator("#id_argument_counter")
    assert "more needed" in counter.inner_text()
    argument.fill(ARGUMENT)
    assert "of at most 10,000" in counter.inner_text()
    page.get_by_label("Sources (optional)").fill("https://example.org/survey-2025")
    page.get_by_label("Your name (optional)").fill("Ada Reader")
    page.get_by_label("Your e-mail (optional)").fill("ada@example.org")
    page.get_by_label("Credit me by name if this dissent is published").check()
    page.get_by_role("button", name="Send dissent").click()

    page.get_by_role("heading", name="Thank you: your dissent has reached the editors").wait_for()
    assert page.get_by_text("What happens next").is_visible()

    # The editor weighs it as material on the moderation desk.
    sign_in(page, live_server, editor)
    page.goto("/desk/dissent/")
    item = page.locator(".moderation-item", has_text=claim.code)
    assert "https://example.org/survey-2025" in item.inner_text()
    item.get_by_label("Note (optional").fill("Two later surveys disagree with the one cited.")
    item.get_by_role("button", name="Weigh: material").click()
    page.get_by_text(f"Dissent on {claim.code} weighed: material.").wait_for()

    # Any reader now sees it, credited, in the article's change history.
    page.context.clear_cookies()
    page.goto(f"/articles/{article.slug}/")
    log = page.locator("section.correction-log")
    assert "Material dissent" in log.inner_text()
    assert f"Material dissent from Ada Reader on {claim.code} weighed." in log.inner_text()
    assert "ada@example.org" not in page.content()


LONG_STATEMENT = (
    "Enterprises that fund a standing evaluation function for their AI agents reach production "
    "quality sooner than those that treat evaluation as a one-off acceptance test, across sectors, "
    "company sizes and the three agent platforms most often deployed."
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_every_claim_is_readable_whole_and_choosing_none_is_summarised(django_db_setup, live_server, page, width):
    article = make_article(title="Evaluation budgets", slug="evaluation-budgets")
    make_claim(article=article, is_primary=True, statement=LONG_STATEMENT)
    make_claim(article=article, statement="Evaluation is under-counted in cost models.")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/articles/{article.slug}/dissent/")

    # The whole statement is on screen, wrapped inside the page: nothing cut off, no sideways scroll.
    radio = page.get_by_role("radio", name=LONG_STATEMENT)
    label = page.locator(f"label[for='{radio.get_attribute('id')}']")
    assert LONG_STATEMENT in label.inner_text()
    box = label.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Sending without choosing: the summary has focus and its link leads to the first claim.
    page.get_by_label("Your argument").fill(ARGUMENT)
    page.get_by_role("button", name="Send dissent").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link", name="Choose the claim you dispute.").click()
    assert page.evaluate("document.activeElement.type") == "radio"
    assert page.get_by_label("Your argument").input_value() == ARGUMENT

    # Choosing by its words works and sends.
    radio.check()
    page.get_by_role("button", name="Send dissent").click()
    page.get_by_role("heading", name="Thank you: your dissent has reached the editors").wait_for()
