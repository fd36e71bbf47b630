import datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from claims.models import Claim, Verdict
from dissent.models import Dissent
from reviews.models import Review
from tests.test_pagination import next_href
from tests.factories import make_article, make_claim, make_editor, make_pillar, make_section

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


def many_claims(count, *, pillars, start=0, due_from=TODAY - datetime.timedelta(days=30), **fields):
    """`count` claims, each on its own published article, due one day apart
    from `due_from`: enough rows for an N+1 to show, made in a few queries."""
    section = make_section()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Bulk article {start + n}",
            slug=f"bulk-{start + n}",
            body_markdown="Body.",
            section=section,
            pillar=pillars[n % len(pillars)] if pillars else None,
            status=Article.Status.PUBLISHED,
            published_on=datetime.date(2026, 1, 1),
        )
        for n in range(count)
    )
    return Claim.objects.bulk_create(
        Claim(
            code=f"BK-{start + n:04d}",
            article=article,
            is_primary=True,
            statement=f"Bulk statement {start + n}.",
            verdict=Verdict.values[n % 3],
            cadence_days=60,
            next_review_due=due_from + datetime.timedelta(days=n),
            **fields,
        )
        for n, article in enumerate(articles)
    )


def many_reviews(claim, count, *, editor, first_on=datetime.date(2024, 1, 1)):
    verdicts = [Verdict.HOLDING, Verdict.PARTIAL, Verdict.NOT_HOLDING, Verdict.PARTIAL]
    return Review.objects.bulk_create(
        Review(
            claim=claim,
            editor=editor,
            reviewed_on=first_on + datetime.timedelta(days=14 * n),
            verdict_before=verdicts[(n - 1) % 4],
            verdict_after=verdicts[n % 4],
            cadence_days=30,
            next_review_due=first_on + datetime.timedelta(days=14 * n + 30),
            reasoning=f"Reasoning of review {n}.",
        )
        for n in range(count)
    )


@time_machine.travel(NOW, tick=False)
class ClaimPageTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Edith", last_name="Marsh")
        self.claim = make_claim(
            article=make_article(
                title="Why inference keeps getting cheaper", pillar=make_pillar(name="Compute")
            ),
            statement="Inference prices per token halve every year.",
            is_primary=True,
        )

    def test_shows_claim_article_badge_timeline_and_reviews(self):
        many_reviews(self.claim, 3, editor=self.editor)
        response = self.client.get(f"/claims/{self.claim.code}/")
        self.assertContains(response, "Inference prices per token halve every year.")
        self.assertContains(response, "Why inference keeps getting cheaper")
        self.assertContains(response, 'class="badge badge--partial')
        self.assertContains(response, "<svg", count=1)
        self.assertContains(response, 'class="timeline__mark', count=3)
        self.assertContains(response, "Reasoning of review 2.")
        self.assertContains(response, "Reviewed by Edith Marsh")
        # The text alternative: the table says what the chart shows.
        self.assertContains(response, "<td>Holding</td>")
        self.assertContains(
            response, "1 Jan 2024: Holding; 15 Jan 2024: Partial; 29 Jan 2024: Not holding."
        )

    def test_not_yet_reviewed_says_when_the_first_review_is_due(self):
        response = self.client.get(self.claim.get_absolute_url())
        self.assertContains(response, "Not reviewed yet")
        self.assertNotContains(response, "<svg")

    def test_material_dissent_is_shown_escaped_and_credited_only_with_consent(self):
        review = many_reviews(self.claim, 1, editor=self.editor)[0]
        common = {
            "claim": self.claim,
            "status": Dissent.Status.MATERIAL,
            "weighed_at": NOW,
            "weighed_in_review": review,
        }
        Dissent.objects.create(
            argument="<script>alert(1)</script> The index is wrong.",
            name="Jo Reader",
            consent_to_credit=True,
            email="jo@example.org",
            **common,
        )
        Dissent.objects.create(
            argument="The sample is too small.",
            name="Private Person",
            consent_to_credit=False,
            **common,
        )
        Dissent.objects.create(
            claim=self.claim,
            argument="Not material, not shown.",
            status=Dissent.Status.NOT_MATERIAL,
            weighed_at=NOW,
        )
        response = self.client.get(self.claim.get_absolute_url())
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt; The index is wrong.")
        self.assertContains(response, "— Jo Reader")
        self.assertContains(response, "The sample is too small.")
        self.assertNotContains(response, "Private Person")
        self.assertNotContains(response, "jo@example.org")
        self.assertNotContains(response, "Not material, not shown.")

    def test_query_count_does_not_grow_with_60_reviews(self):
        reviews = many_reviews(self.claim, 60, editor=self.editor)
        for review in reviews[::10]:
            Dissent.objects.create(
                claim=self.claim,
                argument="Material point.",
                status=Dissent.Status.MATERIAL,
                weighed_at=NOW,
                weighed_in_review=review,
            )
        # the conditional-GET validators, claim, every review's day and verdict
        # (the chart), the latest reviews, their material dissent, dissent weighed
        # outside a review, the claim's correction entries (JSON-LD), footer count
        with self.assertNumQueries(8):
            response = self.client.get(self.claim.get_absolute_url())
        # The latest ten on the page, the rest a keyset page away, all counted.
        self.assertContains(response, 'class="review-entry"', count=10)
        self.assertContains(response, "Reviews <span class=\"muted\">(60)</span>", html=False)
        seen, pages, page = [], 1, response
        while True:
            seen += [review.pk for review in page.context["reviews"]]
            markers = page.content.decode().count("Material point.")
            self.assertEqual(markers, sum(1 for r in page.context["reviews"] if r in reviews[::10]))
            if not page.context["reviews"].has_next:
                break
            with self.assertNumQueries(7):  # the same, less the footer count (cached by now)
                page = self.client.get(self.claim.get_absolute_url() + next_href(page))
            pages += 1
        self.assertEqual(pages, 6)
        self.assertEqual(sorted(seen), sorted(review.pk for review in reviews))
        self.assertContains(page, "Newer reviews")

    def test_is_public_and_carries_no_per_visitor_state(self):
        response = self.client.get(self.claim.get_absolute_url())
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertNotIn("csrftoken", response.cookies)
        self.assertNotIn("sessionid", response.cookies)

    def test_draft_articles_claims_are_not_public(self):
        draft = make_claim(article=make_article(status=Article.Status.DRAFT, published_on=None))
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get("/claims/AM-999/").status_code, 404)


@time_machine.travel(NOW, tick=False)
class LedgerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.energy, cls.health = (
            make_pillar(name="Energy", slug="energy"),
            make_pillar(name="Health", slug="health"),
        )
        # 300 claims due from 30 days ago onwards, one a day.
        cls.claims = many_claims(300, pillars=[cls.energy, cls.health])

    def codes(self, response):
        return [claim.code for claim in response.context["page"].object_list]

    def test_lists_claims_soonest_due_first_paginated(self):
        response = self.client.get(reverse("claims:ledger"))
        self.assertEqual(response.context["page"].paginator.count, 300)
        self.assertEqual(self.codes(response)[:3], ["BK-0000", "BK-0001", "BK-0002"])
        self.assertEqual(len(self.codes(response)), 50)
        # Keyset pages: the next page starts after the last row's due date and code.
        self.assertContains(response, f'rel="next" href="?after={self.claims[49].next_review_due}%2CBK-0049"')
        page_two = self.client.get(reverse("claims:ledger"), {"after": f"{self.claims[49].next_review_due},BK-0049"})
        self.assertEqual(self.codes(page_two)[0], "BK-0050")
        back = self.client.get(reverse("claims:ledger"), {"before": f"{self.claims[50].next_review_due},BK-0050"})
        self.assertEqual(self.codes(back), self.codes(response))
        self.assertNotContains(back, 'rel="prev"')

    def test_sorts_latest_due_first(self):
        response = self.client.get(reverse("claims:ledger"), {"sort": "-next"})
        self.assertEqual(self.codes(response)[0], "BK-0299")

    def test_filters_by_verdict_pillar_and_due_status(self):
        response = self.client.get(
            reverse("claims:ledger"), {"verdict": "holding", "pillar": "energy"}
        )
        claims = response.context["page"].paginator.object_list
        self.assertTrue(
            all(c.verdict == "holding" and c.article.pillar == self.energy for c in claims)
        )
        self.assertEqual(response.context["page"].paginator.count, 50)  # n % 6 == 0

        overdue = self.client.get(reverse("claims:ledger"), {"due": "overdue"})
        self.assertEqual(overdue.context["page"].paginator.count, 30)
        due_soon = self.client.get(reverse("claims:ledger"), {"due": "due_soon"})
        self.assertEqual(due_soon.context["page"].paginator.count, 8)  # today and the 7 days after
        scheduled = self.client.get(reverse("claims:ledger"), {"due": "scheduled"})
        self.assertEqual(scheduled.context["page"].paginator.count, 300 - 30 - 8)

    def test_pagination_keeps_the_filters(self):
        response = self.client.get(reverse("claims:ledger"), {"due": "scheduled"})
        self.assertRegex(response.content.decode(), r'rel="next" href="\?due=scheduled&amp;after=[^"]+"')

    def test_a_bad_filter_value_is_reported_and_the_others_still_apply(self):
        response = self.client.get(
            reverse("claims:ledger"), {"verdict": "nonsense", "due": "overdue", "after": "x"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "Select a valid choice. nonsense is not one of the available choices."
        )
        self.assertEqual(response.context["page"].paginator.count, 30)

    def test_query_count_is_fixed_with_hundreds_of_claims(self):
        # the pillar filter's lookup, count, one page of claims with articles and
        # pillars, the pillar choices, the footer count
        with self.assertNumQueries(5):
            response = self.client.get(reverse("claims:ledger"), {"pillar": "energy"})
        self.assertContains(response, 'class="badge badge--', count=50)
