"""One small publication with something on every page type, and the address of
each page a reader or the desk opens: the validators (tests/test_html_validity.py)
and axe-core (tests/test_accessibility.py) walk the same list, so a page type added
here is checked by both."""

import datetime

from django.utils import timezone

from articles.services import rewrite_draft, rewrite_submit
from corrections.services import article_retire, correction_entry_write, error_report_submit
from dissent.services import dissent_submit
from tests.discovery import record_verdict_change
from tests.dissent.helpers import ARGUMENT
from tests.factories import make_admin, make_article, make_claim, make_editor, make_pillar, make_section


def build_site():
    """Every kind of record a page can show; returns what the page lists need."""
    admin = make_admin(username="admin-validator", first_name="Ada", last_name="Admin")
    editor = make_editor(username="editor-validator", first_name="Eli", last_name="Editor")
    pillar = make_pillar(name="Machine minds", slug="minds", description="What machines can do.")
    section = make_section(name="Understanding AI", slug="understanding-ai", description="How AI works.")
    today = timezone.localdate()
    articles = []
    for n, verdict in enumerate(["holding", "partial", "not_holding"]):
        article = make_article(
            title=f"Do models reason? Part {n}", slug=f"reason-{n}", pillar=pillar, section=section,
            body_markdown="Models do well on **reasoning** benchmarks.\n\n## What changed\n\nA replication.",
            drafted_by="A. Writer", signed_off_by="B. Editor", published_on=today - datetime.timedelta(days=200),
        )
        claim = make_claim(
            article=article, is_primary=True, verdict="partial",
            statement="Benchmark gains track real reasoning ability.",
            holding_up_note="Holds for maths; not for novel puzzles.",
            triggers=["A replication on novel puzzles."],
            next_review_due=today + datetime.timedelta(days=20 - 15 * n),
        )
        make_claim(article=article, statement="Scores on novel puzzles lag.", last_reviewed_on=None)
        if verdict != "partial":
            record_verdict_change(claim, to=verdict, on=today - datetime.timedelta(days=n + 1), editor=editor)
        articles.append(article)
    article, claim = articles[0], articles[0].primary_claim
    entry = correction_entry_write(
        article=article, kind="clarification", text="Clarified which benchmark the figure is from.",
        editor=editor, signoff_question="REVIEW: assess whether the framing still fits.",
        signoff_addressed_to=admin,
    )
    dissent_submit(
        claim=claim, argument=ARGUMENT, sources=["https://example.org/survey-2025"], name="Ada Reader",
        email="ada@example.org", consent_to_credit=True,
    )
    report = error_report_submit(article=article, what_is_wrong="The benchmark is from 2024, not 2025.")
    rewrite = rewrite_draft(
        article=articles[1], editor=editor, title=articles[1].title, dek="A new standfirst.",
        body_markdown="A rewritten body.\n\nWith a second paragraph.", reader_note="Being brought up to date.",
    )
    rewrite = rewrite_submit(rewrite=rewrite, editor=editor)
    # The admin's own private draft: the validators open its pages as its editor.
    private_rewrite = rewrite_draft(
        article=article, editor=admin, title=article.title, dek="A standfirst in progress.",
        body_markdown="A body in progress, with **emphasis**.\n\n- and a list",
    )
    retired = make_article(title="An off-thesis piece", slug="off-thesis", section=section)
    make_claim(article=retired, is_primary=True, statement="A claim we no longer track.")
    article_retire(article=retired, admin=admin, redirect_to=articles[2], reason="Off the thesis.")
    return {
        "admin": admin, "editor": editor, "pillar": pillar, "article": article, "claim": claim,
        "entry": entry, "report": report, "rewrite": rewrite, "retired": retired,
        "private_rewrite": private_rewrite,
        "signoff": entry.signoff_request, "target": articles[2],
    }


def reader_pages(site):
    return {
        "home": "/",
        "archive": "/articles/",
        "archive filtered": "/articles/?section=understanding-ai&pillar=nonsense",
        "article": site["article"].get_absolute_url(),
        "article with rewrite banner": site["rewrite"].article.get_absolute_url(),
        "article after a retirement redirect": f"{site['target'].get_absolute_url()}?retired=off-thesis",
        "claim": site["claim"].get_absolute_url(),
        "claim of a retired article": site["retired"].primary_claim.get_absolute_url(),
        "ledger": "/claims/",
        "ledger filtered": "/claims/?verdict=nonsense&pillar=minds",
        "pillars": "/pillars/",
        "pillar": site["pillar"].get_absolute_url(),
        "section": "/sections/understanding-ai/",
        "search results": "/search/?q=reasoning",
        "search empty": "/search/?q=zeppelin&verdict=nonsense",
        "search for 3,000 characters": "/search/?q=" + "x" * 3000,
        "search with a NUL": "/search/?q=reasoning%00benchmarks",
        "method": "/how-this-works/",
        "correction log": "/corrections/",
        "corrections policy": "/corrections/policy/",
        "report form": f"/corrections/report/?article={site['article'].slug}",
        "report sent": "/corrections/report/?sent=1",
        "dissent form": f"{site['article'].get_absolute_url()}dissent/",
        "not found": "/articles/no-such-piece/",
        "sign in": "/accounts/login/",
        "password reset": "/accounts/password_reset/",
    }


def desk_pages(site):
    """Pages an admin opens (admins see every desk page an editor does, and more)."""
    return {
        "queue": "/desk/",
        "queue searched": "/desk/?q=reason&show=not_yet_due",
        "queue with dissent waiting": "/desk/?show=dissent",
        "review form": f"/desk/claims/{site['claim'].code}/review/",
        "dissent moderation": "/desk/dissent/",
        "desk corrections": "/desk/corrections/",
        "amend entry": f"/desk/corrections/{site['entry'].pk}/amend/",
        "sign-off queue": "/desk/sign-off/",
        "sign-off answer": f"/desk/sign-off/requests/{site['signoff'].pk}/answer/",
        "rewrites": "/desk/rewrites/",
        "rewrite": f"/desk/rewrites/{site['rewrite'].pk}/",
        "rewrite draft": f"/desk/articles/{site['target'].slug}/rewrite/",
        "rewrite private draft": f"/desk/rewrites/{site['private_rewrite'].pk}/",
        "rewrite draft continued": f"/desk/articles/{site['private_rewrite'].article.slug}/rewrite/",
        "retire": f"/desk/articles/{site['target'].slug}/retire/",
        "revisions": f"/desk/articles/{site['article'].slug}/revisions/",
        "desk articles": "/desk/articles/",
        "new article": "/desk/articles/new/",
        "edit article": f"/desk/articles/{site['article'].slug}/edit/",
        "correct article": f"/desk/articles/{site['article'].slug}/correct/",
        "preferences": "/desk/preferences/",
        "audit trail": "/desk/audit/",
        "people": "/desk/people/",
        "password change": "/accounts/password_change/",
        "article as staff": site["article"].get_absolute_url(),
    }


def error_documents(site):
    """{name: html} of the pages shown when something goes wrong, as served with
    DEBUG off: they have no address of their own to walk."""
    from django.test import Client, RequestFactory

    from tests.dissent.helpers import dissent_post
    from vigil.errors import server_error

    browser = Client(enforce_csrf_checks=True)
    form = f"{site['article'].get_absolute_url()}dissent/"
    return {
        "500": server_error(RequestFactory().get("/")).content,
        "400": Client().get("/", headers={"host": "evil.example"}).content,
        "403 csrf, text given back": browser.post(
            form, dissent_post(site["claim"]), headers={"origin": "http://testserver"}
        ).content,
        "403 csrf, from another site": browser.post(
            form, dissent_post(site["claim"]), headers={"origin": "https://evil.example"}
        ).content,
    }
