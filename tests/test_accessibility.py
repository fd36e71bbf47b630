"""axe-core over the public pages in Chromium: zero violations.

axe-core is vendored for tests only (tests/vendor/axe.min.js, `npm pack axe-core`)
and injected by playwright; it is never served to readers. The context bypasses
the CSP only so the test can inject it.
"""

import datetime
import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.discovery import record_verdict_change
from tests.factories import make_article, make_claim, make_correction, make_pillar, make_section

# Playwright's sync API runs an event loop in this thread; the Django calls the
# tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def content():
    pillar = make_pillar(name="Machine minds", slug="minds", description="What machines can do.")
    section = make_section(name="Understanding AI", slug="understanding-ai")
    today = timezone.localdate()
    articles = []
    for n, verdict in enumerate(["holding", "partial", "not_holding"]):
        article = make_article(
            title=f"Do models reason? Part {n}", slug=f"reason-{n}", pillar=pillar, section=section,
            body_markdown="Models do well on **reasoning** benchmarks.\n\n## What changed\n\nA replication.",
            drafted_by="A. Writer", signed_off_by="B. Editor",
        )
        claim = make_claim(
            article=article, is_primary=True, verdict="partial",
            statement="Benchmark gains track real reasoning ability.",
            holding_up_note="Holds for maths; not for novel puzzles.",
            triggers=["A replication on novel puzzles."],
            next_review_due=today + datetime.timedelta(days=20 - 15 * n),
        )
        if verdict != "partial":
            record_verdict_change(claim, to=verdict, on=today - datetime.timedelta(days=n + 1))
        make_correction(article=article, claim=claim, text="Verdict reviewed after a replication.")
        articles.append(article)
    return {"pillar": pillar, "article": articles[0], "claim": articles[0].primary_claim}


def axe_violations(page, path):
    response = page.goto(path)
    assert response.status < 400, f"{path} answered {response.status}"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


PAGES = {
    "home": lambda c: "/",
    "article": lambda c: c["article"].get_absolute_url(),
    "claim": lambda c: c["claim"].get_absolute_url(),
    "ledger": lambda c: "/claims/",
    "pillars": lambda c: "/pillars/",
    "pillar": lambda c: c["pillar"].get_absolute_url(),
    "section": lambda c: "/sections/understanding-ai/",
    "search results": lambda c: "/search/?q=reasoning",
    "search empty": lambda c: "/search/?q=zeppelin&verdict=nonsense",
    "method": lambda c: "/how-this-works/",
    "correction log": lambda c: "/corrections/",
    "dissent form": lambda c: f"{c['article'].get_absolute_url()}dissent/",
}


@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_axe_violations(axe_page, content, name):
    violations = axe_violations(axe_page, PAGES[name](content))
    assert violations == [], json.dumps(violations, indent=2)
