import datetime
from unittest import mock

import time_machine
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from claims.models import Claim, Verdict
from corrections.models import CorrectionEntry
from dissent.models import Dissent
from reviews.models import Review
from reviews.queue import review_queue
from reviews.services import review_record
from tests.claims.test_views import many_claims
from tests.test_pagination import next_href
from tests.factories import make_claim, make_editor, make_pillar

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@time_machine.travel(NOW, tick=False)
class ReviewQueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor(first_name="Edith", last_name="Marsh")
        cls.other = make_editor(first_name="Omar", last_name="Field")
        cls.energy = make_pillar(name="Energy", slug="energy")
        cls.health = make_pillar(name="Health", slug="health")

    def setUp(self):
        self.client.force_login(self.editor)

    def codes(self, response):
        return [claim.code for claim in response.context["page"].object_list]

    def test_overdue_first_most_overdue_first_then_due_soon(self):
        due_soon = make_claim(next_review_due=days(3))
        slightly_late = make_claim(next_review_due=days(-1))
        very_late = make_claim(next_review_due=days(-40))
        due_today = make_claim(next_review_due=days(0))
        make_claim(next_review_due=days(15))  # outside the 14-day window
        response = self.client.get(reverse("reviews:queue"))
        self.assertEqual(
            self.codes(response),
            [very_late.code, slightly_late.code, due_today.code, due_soon.code],
        )
        self.assertContains(response, "overdue 40d")
        self.assertContains(response, "Review overdue by 40 days")
        self.assertContains(response, "next +3d")

    def test_shows_article_pillar_verdict_editor_and_unweighed_dissent(self):
        from tests.factories import make_article

        claim = make_claim(
            article=make_article(title="Cheap inference", pillar=self.energy),
            verdict=Verdict.NOT_HOLDING,
            next_review_due=days(-2),
            assigned_editor=self.other,
        )
        for _ in range(3):
            Dissent.objects.create(claim=claim, argument="Objection.")
        Dissent.objects.create(
            claim=claim, argument="Old.", status=Dissent.Status.NOT_MATERIAL, weighed_at=NOW
        )
        response = self.client.get(reverse("reviews:queue"))
        self.assertContains(response, "Cheap inference")
        self.assertContains(response, "Energy")
        self.assertContains(response, "Not holding")
        self.assertContains(response, "Omar Field")
        self.assertEqual(response.context["page"].object_list[0].unweighed_dissent_count, 3)
        self.assertContains(response, "<strong>3</strong>", html=True)

    def test_filters_by_pillar_verdict_editor_and_mine(self):
        from tests.factories import make_article

        a = make_claim(
            article=make_article(pillar=self.energy),
            verdict=Verdict.HOLDING,
            next_review_due=days(1),
            assigned_editor=self.editor,
        )
        b = make_claim(
            article=make_article(pillar=self.health),
            verdict=Verdict.HOLDING,
            next_review_due=days(2),
            assigned_editor=self.other,
        )
        c = make_claim(
            article=make_article(pillar=self.energy),
            verdict=Verdict.PARTIAL,
            next_review_due=days(3),
        )
        queue = reverse("reviews:queue")
        self.assertEqual(self.codes(self.client.get(queue, {"pillar": "energy"})), [a.code, c.code])
        self.assertEqual(
            self.codes(self.client.get(queue, {"verdict": "holding"})), [a.code, b.code]
        )
        self.assertEqual(self.codes(self.client.get(queue, {"editor": self.other.pk})), [b.code])
        self.assertEqual(self.codes(self.client.get(queue, {"editor": "unassigned"})), [c.code])
        # Unassigned claims are everyone's.
        self.assertEqual(self.codes(self.client.get(queue, {"mine": "on"})), [a.code, c.code])

    def test_htmx_gets_only_the_table_and_the_url_varies_on_it(self):
        make_claim(next_review_due=days(1))
        response = self.client.get(
            reverse("reviews:queue"), {"verdict": "partial"}, headers={"hx-request": "true"}
        )
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<div id="queue-table"'))
        self.assertNotIn("<html", content)
        self.assertIn("HX-Request", response["Vary"])
        # A history restore after a cache miss needs the whole page.
        restore = self.client.get(
            reverse("reviews:queue"),
            headers={"hx-request": "true", "hx-history-restore-request": "true"},
        )
        self.assertContains(restore, "<html")

    def test_filter_form_pushes_a_shareable_url_and_works_without_js(self):
        response = self.client.get(reverse("reviews:queue"))
        self.assertContains(response, 'method="get" action="/desk/"')
        self.assertContains(response, 'hx-push-url="true"')
        self.assertContains(response, 'hx-target="#queue-table"')

    def test_paginated_with_filters_kept(self):
        many_claims(60, pillars=[self.energy], due_from=days(-59))
        response = self.client.get(reverse("reviews:queue"), {"pillar": "energy"})
        self.assertEqual(len(self.codes(response)), 25)
        page_two = self.client.get(reverse("reviews:queue") + next_href(response))
        self.assertRegex(next_href(response), r"^\?pillar=energy&after=")
        page_three = self.client.get(reverse("reviews:queue") + next_href(page_two))
        self.assertEqual(len(self.codes(page_three)), 10)
        self.assertFalse(page_three.context["page"].has_next)
        seen = self.codes(response) + self.codes(page_two) + self.codes(page_three)
        self.assertEqual(len(set(seen)), 60)

    def test_query_count_is_fixed_with_many_claims(self):
        claims = many_claims(
            120, pillars=[self.energy, self.health], due_from=days(-100), assigned_editor=self.other
        )
        Dissent.objects.bulk_create(
            Dissent(claim=claim, argument="Objection.") for claim in claims[:40]
        )
        # session, user, groups, editors for the filter, count, page (claims,
        # articles, pillars, editors, dissent counts), pillar choices, footer count,
        # blind second reviews given to me, reviewer agreement
        with self.assertNumQueries(10):
            response = self.client.get(reverse("reviews:queue"))
        self.assertEqual(
            response.context["page"].paginator.count, 115
        )  # 100 overdue, today, 14 ahead
        self.assertContains(response, "Omar Field", count=25 + 1)  # rows + the filter's option


@time_machine.travel(NOW, tick=False)
class EarlyReviewFromTheDeskTests(TestCase):
    """Any claim can be found from the queue, by its code or its article's
    title, and reviewed before it is due; the queue shows the claims with
    dissent waiting and those not yet due."""

    @classmethod
    def setUpTestData(cls):
        from articles.models import Article
        from tests.factories import make_article

        cls.editor = make_editor(first_name="Edith", last_name="Marsh")
        cls.wind = make_article(title="Wind power is cheaper than gas", slug="wind")
        cls.later = make_claim(article=cls.wind, next_review_due=days(50))
        cls.wind_soon = make_claim(article=cls.wind, next_review_due=days(2))
        cls.overdue = make_claim(next_review_due=days(-5))
        cls.disputed_later = make_claim(next_review_due=days(40))
        for _ in range(2):
            Dissent.objects.create(claim=cls.disputed_later, argument="Objection.")
        cls.weighed_only = make_claim(next_review_due=days(30))
        Dissent.objects.create(
            claim=cls.weighed_only, argument="Old.", status=Dissent.Status.NOT_MATERIAL, weighed_at=NOW
        )
        cls.in_a_draft = make_claim(
            article=make_article(title="Wind farms, unpublished", status=Article.Status.DRAFT, published_on=None),
            next_review_due=days(10),
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def codes(self, **query):
        response = self.client.get(reverse("reviews:queue"), query)
        self.assertEqual(response.status_code, 200)
        return [claim.code for claim in response.context["page"].object_list]

    def test_the_default_queue_does_not_list_a_claim_due_in_fifty_days(self):
        self.assertNotIn(self.later.code, self.codes())

    def test_a_claim_is_found_by_its_code_whatever_its_due_date(self):
        self.assertEqual(self.codes(q=self.later.code), [self.later.code])
        self.assertEqual(self.codes(q=self.later.code.lower()), [self.later.code])

    def test_a_claim_is_found_by_its_articles_title(self):
        self.assertEqual(self.codes(q="wind POWER"), [self.wind_soon.code, self.later.code])
        # Claims of unpublished pieces have no reviews yet.
        self.assertNotIn(self.in_a_draft.code, self.codes(q="wind"))

    def test_the_row_opens_the_review_form_before_it_is_due(self):
        code = self.later.code
        response = self.client.get(reverse("reviews:queue"), {"q": code})
        review_url = reverse("reviews:review", kwargs={"code": code})
        self.assertContains(response, f'href="{review_url}">Review early<span class="visually-hidden"> {code}</span>')
        self.assertContains(response, f"1 claim matching “{code}”")
        form = self.client.get(review_url)
        self.assertContains(form, f"Reviewing early: {code} is not due until 23 Jun 2026.")
        response = self.client.post(
            review_url,
            {
                "verdict": Verdict.PARTIAL, "cadence_days": 60, "reasoning": "A new auction moved the price.",
                "evidence_considered": "", "holding_up_note": "Holds for onshore wind.",
                "expected_last_review_id": "", "next_review_due": "",
            },
        )
        self.assertRedirects(response, reverse("reviews:queue"), fetch_redirect_response=False)
        self.later.refresh_from_db()
        self.assertEqual((self.later.last_reviewed_on, self.later.verdict), (TODAY, Verdict.PARTIAL))

    def test_a_claim_due_now_is_not_called_early(self):
        self.assertNotContains(self.client.get(reverse("reviews:review", kwargs={"code": self.overdue.code})), "Reviewing early")

    def test_dissent_waiting_lists_claims_with_unweighed_dissent_whatever_their_due_date(self):
        self.assertEqual(self.codes(show="dissent"), [self.disputed_later.code])
        response = self.client.get(reverse("reviews:queue"), {"show": "dissent"})
        self.assertContains(response, "1 claim with dissent waiting")
        self.assertContains(response, "<strong>2</strong>", html=True)

    def test_not_yet_due_lists_the_claims_due_after_today_soonest_first(self):
        self.assertEqual(
            self.codes(show="not_yet_due"),
            [self.wind_soon.code, self.weighed_only.code, self.disputed_later.code, self.later.code],
        )

    def test_a_search_within_a_filter(self):
        self.assertEqual(self.codes(q="wind", show="not_yet_due"), [self.wind_soon.code, self.later.code])
        self.assertEqual(self.codes(q="wind", show="dissent"), [])

    def test_nothing_found_says_how_to_search(self):
        response = self.client.get(reverse("reviews:queue"), {"q": "no such piece"})
        self.assertContains(response, "No claim matches “no such piece”")
        self.assertContains(response, 'value="no such piece"')  # the typed text is kept

    def test_a_bad_choice_is_reported_and_the_search_still_applies(self):
        response = self.client.get(reverse("reviews:queue"), {"show": "nonsense", "q": self.later.code})
        self.assertContains(response, "Select a valid choice")
        self.assertEqual([claim.code for claim in response.context["page"].object_list], [self.later.code])

    def test_htmx_swaps_only_the_table_and_the_form_works_without_it(self):
        page = self.client.get(reverse("reviews:queue"))
        self.assertContains(page, 'name="q"')
        self.assertContains(page, '<option value="not_yet_due">Not yet due</option>', html=True)
        self.assertContains(page, '<option value="dissent">Dissent waiting</option>', html=True)
        response = self.client.get(
            reverse("reviews:queue"), {"q": self.later.code}, headers={"hx-request": "true"}
        )
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<div id="queue-table"'))
        self.assertIn(self.later.code, content)
        self.assertNotIn('name="q"', content)

    def test_query_count_is_fixed_for_every_view_and_a_search(self):
        energy = make_pillar(slug="energy-early")
        claims = many_claims(120, pillars=[energy], due_from=days(-20), assigned_editor=self.editor)
        Dissent.objects.bulk_create(Dissent(claim=claim, argument="Objection.") for claim in claims[:60])
        for query in [{"show": "dissent"}, {"show": "not_yet_due"}, {"show": "all"}, {"q": "Bulk article"}]:
            with self.subTest(**query):
                cache.clear()  # the footer's count is cached between requests
                # As the queue: session, user, groups, editors for the filter, count,
                # page, pillar choices, footer count, blind second reviews, agreement.
                with self.assertNumQueries(10):
                    response = self.client.get(reverse("reviews:queue"), query)
                self.assertEqual(len(response.context["page"].object_list), 25)


@time_machine.travel(NOW, tick=False)
class ReviewFormTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Edith", last_name="Marsh")
        self.client.force_login(self.editor)
        self.claim = make_claim(
            verdict=Verdict.PARTIAL,
            next_review_due=days(-5),
            triggers=["A price index shows costs rising.", "A provider raises list prices."],
        )
        self.url = reverse("reviews:review", kwargs={"code": self.claim.code})

    def post(self, **data):
        form = {
            "verdict": "partial",
            "cadence_days": "60",
            "reasoning": "Still partly true.",
            "evidence_considered": "",
        }
        form.update(data)
        return self.client.post(self.url, {k: v for k, v in form.items() if v is not None})

    def test_shows_claim_article_history_triggers_and_dissent_to_weigh(self):
        review_record(
            claim=self.claim,
            editor=self.editor,
            verdict="holding",
            cadence_days=30,
            reasoning="Looked fine in spring.",
        )
        Dissent.objects.create(
            claim=self.claim, argument="<b>Costs</b> went up.", name="Jo", consent_to_credit=True
        )
        response = self.client.get(self.url)
        self.assertContains(response, self.claim.statement)
        self.assertContains(response, self.claim.article.title)
        self.assertContains(response, "Looked fine in spring.")
        self.assertContains(response, "A price index shows costs rising.")
        self.assertContains(response, "&lt;b&gt;Costs&lt;/b&gt; went up.")
        self.assertContains(
            response, 'type="radio"', count=3 + 2
        )  # verdicts + material/not material
        latest = Review.objects.get()
        self.assertContains(response, f'name="expected_last_review_id" value="{latest.pk}"')

    def test_the_review_rewrites_the_holding_up_note(self):
        Claim.objects.filter(pk=self.claim.pk).update(holding_up_note="Holds for now.")
        self.assertContains(self.client.get(self.url), "Holds for now.")
        response = self.post(verdict="not_holding", holding_up_note="Two **new** surveys contradict it.")
        self.assertEqual(response.status_code, 302)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.holding_up_note, "Two **new** surveys contradict it.")
        self.assertIn("<strong>new</strong>", self.claim.holding_up_html)
        page = self.client.get(self.claim.article.get_absolute_url())
        self.assertNotContains(page, "Holds for now.")
        self.assertContains(page, "Two <strong>new</strong> surveys contradict it.")

    def test_saves_and_returns_to_the_queue(self):
        response = self.post(verdict="not_holding", cadence_days="30", reasoning="Prices rose.")
        self.assertRedirects(response, reverse("reviews:queue"), fetch_redirect_response=False)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, Verdict.NOT_HOLDING)
        self.assertEqual(self.claim.next_review_due, days(30))
        self.assertTrue(
            CorrectionEntry.objects.filter(kind="verdict_change", entry_on=TODAY).exists()
        )
        self.assertContains(
            self.client.get(reverse("reviews:queue")), f"Review of {self.claim.code} saved."
        )

    def test_rejected_form_says_what_is_wrong_keeps_what_was_typed_and_writes_nothing(self):
        response = self.post(
            cadence_days="120", reasoning="", evidence_considered="The Q1 index, p. 4"
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(
            response, "Ensure this value is less than or equal to 90.", status_code=422
        )
        self.assertContains(
            response, "Say why: the reasoning is published with the review.", status_code=422
        )
        self.assertContains(response, 'value="120"', status_code=422)
        self.assertContains(response, "The Q1 index, p. 4", status_code=422)
        self.assertFalse(Review.objects.exists())
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.next_review_due, days(-5))

    def test_will_not_save_while_listed_dissent_is_unweighed(self):
        first = Dissent.objects.create(claim=self.claim, argument="One.")
        second = Dissent.objects.create(claim=self.claim, argument="Two.")
        response = self.post(**{f"dissent_{first.pk}": "material"}, reasoning="Typed with care.")
        self.assertContains(
            response, "Weigh this dissent: material or not material.", status_code=422
        )
        self.assertContains(response, "Typed with care.", status_code=422)
        self.assertFalse(Review.objects.exists())
        self.assertEqual(Dissent.objects.unweighed().count(), 2)
        response = self.post(
            **{f"dissent_{first.pk}": "material", f"dissent_{second.pk}": "not_material"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Dissent.objects.get(pk=first.pk).status, Dissent.Status.MATERIAL)

    def test_dissent_arriving_while_editing_is_listed_and_must_be_weighed(self):
        self.client.get(self.url)  # the editor opens the form: nothing to weigh
        Dissent.objects.create(claim=self.claim, argument="Arrived while you typed.")
        # The form the editor posts was built before it arrived: no weighing for it.
        from reviews import views

        real = views._pending_dissent
        calls = iter([lambda claim: [], real])
        with mock.patch.object(
            views, "_pending_dissent", side_effect=lambda claim: next(calls)(claim)
        ):
            response = self.post(reasoning="My careful reasoning.")
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "New dissent arrived while you were editing", status_code=422)
        self.assertContains(response, "Arrived while you typed.", status_code=422)
        self.assertContains(response, "My careful reasoning.", status_code=422)
        self.assertFalse(Review.objects.exists())

    def test_slower_editor_is_told_who_reviewed_first_and_what_they_decided(self):
        self.client.get(self.url)  # the form is based on no review
        rival = make_editor(first_name="Omar", last_name="Field")
        review_record(
            claim=self.claim,
            editor=rival,
            verdict="holding",
            cadence_days=90,
            reasoning="Omar's reasoning.",
            expected_last_review_id=None,
        )
        response = self.post(
            verdict="not_holding", reasoning="My reasoning.", expected_last_review_id=""
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response,
            f"{self.claim.code} was reviewed by Omar Field at 11:30 while you were editing; "
            "your review was not saved",
            status_code=409,
        )
        self.assertContains(response, "Omar&#x27;s reasoning.", status_code=409)
        self.assertContains(response, "My reasoning.", status_code=409)  # kept
        winner = Review.objects.get()
        self.assertContains(
            response, f'name="expected_last_review_id" value="{winner.pk}"', status_code=409
        )
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, Verdict.HOLDING)

    def test_query_count_is_fixed(self):
        from tests.claims.test_views import many_reviews

        many_reviews(self.claim, 30, editor=self.editor)
        for n in range(5):
            Dissent.objects.create(claim=self.claim, argument=f"Objection {n}.")
        # session, user, groups, claim, latest review, pending dissent,
        # triggers, history, review count, editors for assignment, footer count,
        # the load around the proposed next due date
        with self.assertNumQueries(12):
            response = self.client.get(self.url)
        self.assertContains(response, "Objection 4.")


@time_machine.travel(NOW, tick=False)
class TriggerAndAssignViewTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Edith", last_name="Marsh")
        self.client.force_login(self.editor)
        self.claim = make_claim(
            next_review_due=days(50), triggers=["A provider raises list prices."]
        )
        self.trigger = self.claim.triggers.get()
        self.fire_url = reverse(
            "reviews:trigger_fire", kwargs={"code": self.claim.code, "pk": self.trigger.pk}
        )

    def test_firing_a_trigger_makes_the_claim_due_now(self):
        prefix = f"trigger-{self.trigger.pk}"
        response = self.client.post(
            self.fire_url,
            {
                f"{prefix}-note": "List prices up 20%.",
                f"{prefix}-url": "https://example.org/prices",
            },
        )
        self.assertRedirects(
            response,
            reverse("reviews:review", kwargs={"code": self.claim.code}),
            fetch_redirect_response=False,
        )
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.next_review_due, TODAY)
        self.assertIn(self.claim, review_queue(on=TODAY))
        page = self.client.get(reverse("reviews:review", kwargs={"code": self.claim.code}))
        self.assertContains(page, "List prices up 20%.")
        self.assertContains(page, "is due for review now")

    def test_firing_without_a_note_is_refused_next_to_the_field(self):
        prefix = f"trigger-{self.trigger.pk}"
        response = self.client.post(self.fire_url, {f"{prefix}-url": "https://example.org/kept"})
        self.assertContains(response, "Say what appeared.", status_code=422)
        self.assertContains(response, "https://example.org/kept", status_code=422)
        self.trigger.refresh_from_db()
        self.assertFalse(self.trigger.has_fired)

    def test_trigger_of_another_claim_is_not_found(self):
        other = make_claim(triggers=["Something else."])
        url = reverse(
            "reviews:trigger_fire", kwargs={"code": self.claim.code, "pk": other.triggers.get().pk}
        )
        self.assertEqual(self.client.post(url, {}).status_code, 404)

    def test_assigning_an_editor(self):
        other = make_editor(first_name="Omar", last_name="Field")
        response = self.client.post(
            reverse("reviews:assign", kwargs={"code": self.claim.code}), {"editor": other.pk}
        )
        self.assertRedirects(response, reverse("reviews:review", kwargs={"code": self.claim.code}))
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.assigned_editor, other)

    def test_only_editors_can_be_chosen(self):
        from tests.factories import make_user

        reader = make_user()
        response = self.client.post(
            reverse("reviews:assign", kwargs={"code": self.claim.code}), {"editor": reader.pk}
        )
        self.assertContains(response, "Select a valid choice", status_code=422)
        self.claim.refresh_from_db()
        self.assertIsNone(self.claim.assigned_editor)
