"""axe-core over every public and desk page in Chromium, at 1280 and 390 px:
zero WCAG 2.2 AA or best-practice violations, and nothing wider than a phone.

axe-core is vendored for tests only (tests/vendor/axe.min.js, `npm pack axe-core`)
and injected by playwright; it is never served to readers. The context bypasses
the CSP only so the test can inject it. The pages are tests/site_pages.py's, the
same list the Nu HTML Checker reads; one browser context per width walks them all.
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.site_pages import build_site, desk_pages, error_documents, reader_pages

# Playwright's sync API runs an event loop in this thread; the Django calls the
# tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 390)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, path):
    """[problems] on the page at `path`: axe violations, and any sideways scroll."""
    response = page.goto(path)
    problems = []
    if response.status >= 500:
        return [f"answered {response.status}"]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    for violation in result["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{violation['id']}: {violation['help']} {targets}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if scroll_width > viewport:
        wide = page.evaluate(
            """(w) => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > w + 1)
                 .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className)""",
            viewport,
        )
        problems.append(f"{scroll_width} px wide at a {viewport} px viewport: {wide}")
    return problems


def walk(browser, live_server, pages, cookies=()):
    found = {}
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": 900}
        )
        context.add_cookies(list(cookies))
        page = context.new_page()
        page.set_default_timeout(10_000)
        for name, path in pages.items():
            problems = check(page, path)
            if problems:
                found[f"{name} at {width} px"] = problems
        context.close()
    return found


def test_reader_and_desk_pages_have_no_axe_violations_and_fit_a_phone(browser, live_server):
    site = build_site()
    found = walk(browser, live_server, reader_pages(site))
    client = Client()
    client.force_login(site["admin"])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
    found.update({f"desk: {k}": v for k, v in walk(browser, live_server, desk_pages(site), [cookie]).items()})
    assert found == {}, json.dumps(found, indent=2)


def test_error_pages_have_no_axe_violations_and_fit_a_phone(browser, live_server):
    """The 400, 500 and CSRF pages, served at an address of the live server
    (so their styles load) though they have none of their own."""
    documents = error_documents(build_site())
    found = {}
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        for n, (name, html) in enumerate(documents.items()):
            path = f"/error-page-{n}/"
            page.route(f"**{path}", lambda route, request, html=html: route.fulfill(body=html, content_type="text/html"))
            problems = check(page, path)
            if problems:
                found[f"{name} at {width} px"] = problems
        context.close()
    assert found == {}, json.dumps(found, indent=2)
