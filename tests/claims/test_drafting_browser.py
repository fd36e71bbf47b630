"""An editor drafts an article with a cover, two claims and three triggers,
previews it and submits it; an admin schedules it an hour ahead; at that minute
the beat job puts it live and a reader finds it on the home page, with its
badge and byline. The whole flow takes at most three desk pages."""

import datetime
import shutil
import tempfile

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings

from claims.tasks import publish_due
from tests.articles.test_renditions import image_bytes
from tests.articles.test_rewrite_browser import signed_in_page, sync_db_beside_playwright  # noqa: F401
from tests.factories import make_admin, make_editor, make_pillar, make_section

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # 09:00 in London


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_article_from_new_draft_to_scheduled_publication(browser, live_server, page, tmp_path):
    media = tempfile.mkdtemp(prefix="vigil-media-")
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(image_bytes("JPEG", size=(1200, 600)))
    desk_pages = set()

    def count_desk_pages(desk):
        desk.on("framenavigated", lambda frame: frame == desk.main_frame and "/desk/" in frame.url
                and desk_pages.add(frame.url.split("?")[0]))

    with override_settings(MEDIA_ROOT=media), time_machine.travel(FROZEN, tick=True):
        make_section(name="Understanding AI")
        make_pillar(name="Agentic AI governance")
        editor = make_editor()
        admin = make_admin(first_name="Peter", last_name="Lane")

        desk = signed_in_page(browser, live_server, editor)
        count_desk_pages(desk)
        desk.goto("/desk/articles/new/")
        desk.get_by_label("Title", exact=True).fill("Agent budgets miss the evaluation role")
        desk.get_by_label("Standfirst").fill("Teams fund the agents, not the people who check them.")
        desk.get_by_label("Section").select_option(label="Understanding AI")
        desk.get_by_label("Pillar").select_option(label="Agentic AI governance")
        desk.get_by_label("Drafted by").fill("Claude")
        desk.get_by_label("Body (Markdown)").fill("Budgets **omit** evaluation.\n\nA second paragraph.")
        # The live preview renders the Markdown beside the textarea.
        desk.locator("#draft-preview strong", has_text="omit").wait_for()
        desk.locator("input[type=file][name=cover]").set_input_files(str(cover))
        desk.get_by_label("Cover alt text").fill("A spreadsheet with an empty evaluation column.")

        first = desk.locator("fieldset.draft-claim").nth(0)
        first.get_by_label("Statement").fill("Most agent budgets omit an evaluation role.")
        first.get_by_label("What would move the claim").fill(
            "A survey finding most budgets fund evaluation.\nA vendor study with the opposite result."
        )
        desk.get_by_role("button", name="Add another claim").click()
        second = desk.locator("fieldset.draft-claim").nth(1)
        second.get_by_label("Statement").wait_for()
        assert first.get_by_label("Statement").input_value() == "Most agent budgets omit an evaluation role."
        second.get_by_label("Statement").fill("Evaluation pays for itself within a year.")
        second.get_by_label("What would move the claim").fill("A cost study of evaluation teams.")
        desk.get_by_role("button", name="Save draft").click()
        desk.get_by_text("Draft saved with claims").wait_for()
        codes = desk.locator("legend .claim-code").all_inner_texts()
        assert len(codes) == 2

        # The preview, at the article's own address, as readers will see it.
        desk.get_by_role("link", name="Preview as readers will see it").click()
        desk.get_by_text("Preview — not published.").wait_for()
        assert desk.locator(".badge").first.is_visible()
        assert desk.get_by_role("img", name="A spreadsheet with an empty evaluation column.").is_visible()
        desk.go_back()
        desk.get_by_role("button", name="Submit for sign-off").click()
        desk.get_by_text("Submitted for sign-off:").wait_for()
        slug = desk.url.rstrip("/").split("/")[-2]

        # The admin signs it off for an hour ahead, in the publication's time zone.
        signoff = signed_in_page(browser, live_server, admin)
        count_desk_pages(signoff)
        signoff.goto(f"/desk/articles/{slug}/edit/")
        signoff.get_by_label("Scheduled", exact=True).check()
        signoff.get_by_label("Goes live at").fill("2026-03-02T10:00")
        signoff.get_by_role("button", name="Sign off").click()
        signoff.get_by_text("it goes live on 02 Mar 2026 at 10:00").wait_for()

        # Not yet: readers see nothing of it.
        page.goto("/")
        assert page.get_by_text("Agent budgets miss the evaluation role").count() == 0
        assert page.goto(f"/articles/{slug}/").status == 404

        with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 59, 30, tzinfo=datetime.UTC), tick=False):
            assert publish_due() == 0
        with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, 5, tzinfo=datetime.UTC), tick=True):
            assert publish_due() == 1
            assert publish_due() == 0
            page.goto("/")
            lead = page.get_by_role("article").filter(has_text="Agent budgets miss the evaluation role").first
            badge = lead.locator(".badge").inner_text()
            assert "not yet reviewed" in badge and "next +60d" in badge, badge
            page.goto(f"/articles/{slug}/")
            assert "Drafted by Claude; signed off by Peter Lane." in page.locator(".method-line").inner_text()

    shutil.rmtree(media, ignore_errors=True)
    assert len(desk_pages) <= 3, desk_pages


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/desk/articles/", "/desk/articles/new/", "edit", "preview"])
def test_drafting_pages_have_no_axe_violations(browser, live_server, path):
    from claims.services import ClaimDraft, article_draft_save
    from tests.test_accessibility import AXE

    admin = make_admin()
    article = article_draft_save(
        editor=admin,
        fields={"title": "A draft", "slug": "a-draft", "dek": "", "body_markdown": "Body **words**.",
                "section": make_section(), "pillar": make_pillar(), "drafted_by": "Claude", "cover_alt": ""},
        claims=[ClaimDraft(statement="A claim.", triggers=["A trigger."])],
    )
    url = {"edit": f"/desk/articles/{article.slug}/edit/", "preview": article.get_absolute_url()}.get(path, path)
    client = Client()
    client.force_login(admin)
    # CSP bypassed only so the test can inject axe.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    assert page.goto(url).status == 200
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    context.close()
    assert violations == []
