"""An editor drafts a rewrite privately (readers see nothing), submits it (the
reader sees the banner, the admin is told), the admin approves it from the
notice's link, and the reader sees the new text, the revised date and the
dated rewrite entry."""

import datetime
import os
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.factories import make_admin, make_article, make_claim, make_editor
from vigil.notifications import outbox_drain

FROZEN = datetime.datetime(2026, 4, 27, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module", autouse=True)
def sync_db_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, which makes
    Django refuse ORM calls (the test's own, and creating the test database
    when this module runs alone). They are plain synchronous code: allow them."""
    # Left set: the test database is torn down at the end of the session,
    # still inside playwright's loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def signed_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }
    ])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rewrite_from_private_draft_to_approval(browser, live_server, page):
    with time_machine.travel(FROZEN, tick=True):
        article = make_article(
            title="Why agent budgets miss the evaluation role",
            slug="evaluation-role",
            body_markdown="The original body says little.\n\nA second paragraph.",
        )
        make_claim(article=article, is_primary=True)
        editor, admin = make_editor(), make_admin(username="peter")

        # The editor drafts; while typing, the diff and the rendered preview follow (htmx).
        desk = signed_in_page(browser, live_server, editor)
        desk.goto(f"/desk/articles/{article.slug}/rewrite/")
        desk.get_by_role("textbox", name="Title", exact=True).fill("Budget the AI Training Lead explicitly")
        desk.get_by_role("textbox", name="Body (Markdown)").fill(
            "The rewritten body, with **sources**.\n\nA second paragraph."
        )
        preview = desk.get_by_role("region", name="Preview as readers will see it")
        preview.locator("strong", has_text="sources").wait_for()
        diff = desk.get_by_role("region", name="Diff against the live text")
        assert diff.locator("ins", has_text="The rewritten body, with **sources**.").is_visible()
        assert diff.locator("del", has_text="The original body says little.").is_visible()
        # Saved privately, without a note yet: readers see nothing of it.
        desk.get_by_role("button", name="Save draft").click()
        desk.get_by_text("Draft saved privately").wait_for()
        page.goto(article.get_absolute_url())
        assert page.get_by_role("complementary", name="Rewrite in progress").count() == 0
        assert "sources" not in page.locator("main").inner_text()
        assert mail.outbox == []

        # Back to it later: the draft is where it was left; submitting needs the note.
        desk.goto("/desk/rewrites/")
        desk.get_by_role("region", name="Private drafts").get_by_role(
            "link", name="Budget the AI Training Lead explicitly"
        ).click()
        desk.get_by_role("button", name="Submit for sign-off").click()
        desk.get_by_text("Write the note readers see").wait_for()
        note = desk.get_by_role("textbox", name="Note for readers")
        assert desk.get_by_role("textbox", name="Body (Markdown)").input_value().startswith("The rewritten body")
        note.fill("This piece is being rewritten to the current standard.")
        desk.get_by_role("button", name="Submit for sign-off").click()
        desk.get_by_text("Rewrite submitted for sign-off").wait_for()

        # The reader now sees the banner with the note, and still the live text.
        page.reload()
        banner = page.get_by_role("complementary", name="Rewrite in progress")
        assert "being rewritten to the current standard" in banner.inner_text()
        assert page.get_by_role("heading", level=1).inner_text() == "Why agent budgets miss the evaluation role"

        # The admin is told once, and the link opens the rewrite beside its diff.
        # (With a broker the worker would send it; here the drain does, or finds it sent.)
        outbox_drain()
        told = [message for message in mail.outbox if "awaits your sign-off" in message.subject]
        assert [message.to for message in told] == [["peter@example.org"]]
        link = re.search(r"http\S+", told[0].body).group(0)
        decide = signed_in_page(browser, live_server, admin)
        decide.goto(urlsplit(link).path)
        assert decide.get_by_role("region", name="Preview as readers will see it").locator(
            "strong", has_text="sources"
        ).is_visible()
        assert decide.locator("del", has_text="Why agent budgets miss the evaluation role").first.is_visible()
        decide.get_by_role("button", name="Approve the rewrite").click()
        decide.get_by_text("Rewrite approved").wait_for()
        assert decide.get_by_text("No rewrites await sign-off.").is_visible()

        # The reader sees the new text, the revised date and the dated rewrite entry.
        page.reload()
        assert page.get_by_role("heading", level=1).inner_text() == "Budget the AI Training Lead explicitly"
        assert page.get_by_text("The rewritten body, with sources.").is_visible()
        assert page.get_by_role("complementary", name="Rewrite in progress").count() == 0
        assert "rev 27 Apr 2026" in " ".join(page.locator(".meta-line").inner_text().split())
        log = page.get_by_role("region", name="Correction log")
        assert "Rewritten 27 Apr 2026" in log.inner_text()
