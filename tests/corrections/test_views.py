import datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from corrections.models import Amendment, CorrectionEntry, SignOffRequest
from corrections.services import correction_entry_amend
from tests.test_pagination import next_href
from tests.factories import make_entry
from tests.factories import make_admin, make_article, make_correction, make_editor, make_pillar

FROZEN = datetime.datetime(2026, 4, 27, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(FROZEN, tick=False)
class CorrectionLogPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pillar = make_pillar(name="Agentic AI governance", slug="agentic-ai")
        cls.other_pillar = make_pillar(name="Energy", slug="energy")
        cls.articles = [make_article(pillar=cls.pillar if n % 2 else cls.other_pillar) for n in range(20)]
        kinds = CorrectionEntry.Kind.values
        entries = [
            CorrectionEntry(
                article=cls.articles[n % 20],
                kind=kinds[n % len(kinds)],
                entry_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
                text=f"Entry number {n}.",
            )
            for n in range(300)
        ]
        CorrectionEntry.objects.bulk_create(entries)

    def test_newest_first_paginated(self):
        response = self.client.get(reverse("corrections:log"))
        entries = list(response.context["entries"])
        self.assertEqual(len(entries), 50)
        self.assertEqual(entries[0].text, "Entry number 299.")
        self.assertContains(response, "300 entries")
        self.assertContains(response, "Older entries")
        # Follow "Older entries" to the end: six pages of keyset links.
        page, pages = response, 1
        while page.context["page"].has_next:
            page = self.client.get(reverse("corrections:log") + next_href(page))
            pages += 1
        self.assertEqual(pages, 6)
        self.assertEqual(list(page.context["entries"])[-1].text, "Entry number 0.")
        self.assertContains(page, "Newer entries")

    def test_query_count_is_fixed_however_many_entries(self):
        # pillars for the filter, count, the page of entries with article and pillar,
        # their amendments (shown to readers), footer count
        with self.assertNumQueries(5):
            response = self.client.get(reverse("corrections:log"), {"kind": "rewrite", "pillar": "agentic-ai"})
        self.assertEqual(response.status_code, 200)

    def test_filter_by_kind_and_pillar(self):
        response = self.client.get(reverse("corrections:log"), {"kind": "verdict_change", "pillar": "energy"})
        entries = list(response.context["entries"])
        self.assertTrue(entries)
        for entry in entries:
            self.assertEqual(entry.kind, "verdict_change")
            self.assertEqual(entry.article.pillar.name, "Energy")
        # The filter survives pagination links.
        response = self.client.get(reverse("corrections:log"), {"kind": "", "pillar": "energy"})
        self.assertContains(response, "150 entries match the filter")
        self.assertRegex(next_href(response), r"^\?kind=&pillar=energy&after=")

    def test_bad_filter_values_show_everything(self):
        response = self.client.get(reverse("corrections:log"), {"kind": "nonsense", "after": "999"})
        self.assertEqual(response.status_code, 200)

    def test_drafts_entries_are_not_public(self):
        draft = make_article(status="draft", published_on=None, title="Secret draft")
        make_correction(article=draft, text="Draft-only entry.")
        self.assertNotContains(self.client.get(reverse("corrections:log")), "Draft-only entry.")

    def test_page_carries_no_per_visitor_state(self):
        response = self.client.get(reverse("corrections:log"))
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertNotIn("Vary", response.headers.get("Vary", "").replace("Accept-Encoding", "") or "")
        self.assertFalse(response.cookies)

    def test_links_to_the_policy(self):
        self.assertContains(self.client.get(reverse("corrections:log")), reverse("corrections:policy"))
        self.assertContains(self.client.get(reverse("corrections:policy")), "Corrections policy")


@time_machine.travel(FROZEN, tick=False)
class DeskEntryFormTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.admin = make_admin(username="peter")
        self.article = make_article(title="Piece to correct")
        self.client.force_login(self.editor)

    def test_editor_logs_an_entry_with_a_signoff_request(self):
        response = self.client.post(
            reverse("corrections:desk_entries"),
            {
                "article": self.article.pk,
                "kind": "update",
                "text": "Updated from the migrated original.",
                "signoff_question": "REVIEW: assess whether the reframing fits editorial scope.",
                "signoff_addressed_to": self.admin.pk,
            },
        )
        self.assertRedirects(response, reverse("corrections:desk_entries"))
        entry = CorrectionEntry.objects.get()
        # Dated today, the day readers see it: the form has no date to backdate.
        self.assertEqual((entry.article, entry.created_by, entry.entry_on), (self.article, self.editor, FROZEN.date()))
        self.assertTrue(entry.signoff_request.is_open)
        self.assertEqual(entry.signoff_request.addressed_to, self.admin)

    def test_rejected_form_keeps_what_was_typed_and_writes_nothing(self):
        response = self.client.post(
            reverse("corrections:desk_entries"),
            {
                "article": self.article.pk,
                "kind": "correction",
                "text": "Typed with care.",
                "signoff_question": "REVIEW: is this right?",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose the admin who should answer", status_code=400)
        self.assertContains(response, "Typed with care.", status_code=400)
        self.assertFalse(CorrectionEntry.objects.exists())
        self.assertFalse(SignOffRequest.objects.exists())

    def test_desk_list_query_count(self):
        for n in range(30):
            make_entry(
                article=make_article(), kind="update", text=f"Entry {n}", created_by=self.editor,
                signoff_question="Q?" if n % 2 else "", signoff_addressed_to=self.admin,
            )
        # session, user, groups, entries (with article, author, request, admin), articles + admins for the form, footer
        with self.assertNumQueries(7):
            self.client.get(reverse("corrections:desk_entries"))


@time_machine.travel(FROZEN, tick=False)
class SignOffQueueTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.client.force_login(self.admin)

    def test_admin_answers_a_request_from_the_queue(self):
        entry = make_entry(
            article=make_article(), kind="update", text="Updated.", signoff_question="REVIEW: keep it?",
            signoff_addressed_to=self.admin,
        )
        queue = self.client.get(reverse("corrections:signoff_queue"))
        self.assertContains(queue, "REVIEW: keep it?")
        url = reverse("corrections:signoff_answer", kwargs={"pk": entry.signoff_request.pk})
        self.assertRedirects(self.client.post(url, {"answer": "Keep it."}), reverse("corrections:signoff_queue"))
        entry.signoff_request.refresh_from_db()
        self.assertEqual(entry.signoff_request.answered_by, self.admin)
        # Answering again changes nothing and says so.
        response = self.client.post(url, {"answer": "Different."}, follow=True)
        self.assertContains(response, "already answered")
        entry.signoff_request.refresh_from_db()
        self.assertEqual(entry.signoff_request.answer, "Keep it.")
        self.assertNotContains(self.client.get(reverse("corrections:signoff_queue")), "REVIEW: keep it?")

    def test_the_queue_comes_a_page_at_a_time_oldest_first(self):
        """One 5,000-pixel page was too much: rewrites (with their diffs) and
        requests are paged, each list on its own."""
        for n in range(12):
            make_entry(
                article=make_article(), kind="update", text=f"Entry {n}.", signoff_question=f"REVIEW: question {n:02d}?",
                signoff_addressed_to=self.admin,
            )
        first = self.client.get(reverse("corrections:signoff_queue"))
        self.assertContains(first, "Sign-off requests (12)")
        self.assertContains(first, "REVIEW: question 00?")
        self.assertNotContains(first, "REVIEW: question 10?")
        self.assertContains(first, "Requests page 1 of 2")
        second = self.client.get(reverse("corrections:signoff_queue"), {"requests": 2})
        self.assertContains(second, "REVIEW: question 11?")
        self.assertNotContains(second, "REVIEW: question 00?")

    def test_empty_answer_shows_the_error_next_to_the_field(self):
        entry = make_entry(
            article=make_article(), kind="update", text="Updated.", signoff_question="Q?", signoff_addressed_to=self.admin
        )
        response = self.client.post(reverse("corrections:signoff_answer", kwargs={"pk": entry.signoff_request.pk}), {"answer": ""})
        self.assertContains(response, "This field is required", status_code=400)

    def test_queue_query_count_is_fixed(self):
        from tests.articles.test_rewrites import draft, submitted

        editor = make_editor()
        for n in range(8):
            submitted(make_article(), editor)
            draft(make_article(), editor)  # private: not the admins' business yet
            make_entry(
                article=make_article(), kind="update", text=f"E{n}", signoff_question="Q?", signoff_addressed_to=self.admin
            )
        # session, user, groups, rewrites and their count, requests and their count,
        # retired articles, footer
        with self.assertNumQueries(9):
            response = self.client.get(reverse("corrections:signoff_queue"))
        self.assertContains(response, "Approve the rewrite", count=3)  # a page of them
        self.assertContains(response, "Rewrites (8)")

    def test_admin_amends_an_entry(self):
        entry = make_correction(article=make_article(), text="Old wording.")
        url = reverse("corrections:entry_amend", kwargs={"pk": entry.pk})
        self.assertContains(self.client.get(url), "Old wording.")
        response = self.client.post(url, {"new_text": "New wording.", "reason": "Clearer."})
        self.assertRedirects(response, reverse("corrections:desk_entries"))
        self.assertEqual(Amendment.objects.get().previous_text, "Old wording.")

    def test_amend_with_empty_reason_keeps_the_text(self):
        entry = make_correction(article=make_article(), text="Old wording.")
        response = self.client.post(reverse("corrections:entry_amend", kwargs={"pk": entry.pk}), {"new_text": "Typed.", "reason": ""})
        self.assertContains(response, "Typed.", status_code=400)
        self.assertFalse(Amendment.objects.exists())


@time_machine.travel(FROZEN, tick=False)
class ArticleCorrectionLogPartTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.article = make_article()
        self.entry = make_entry(
            article=self.article, kind="rewrite", text="Rewritten text.",
            signoff_question="REVIEW: assess whether D is preferable.", signoff_addressed_to=self.admin,
        )
        correction_entry_amend(entry=self.entry, new_text="Rewritten, reframed.", reason="Clearer.", admin=self.admin)

    def test_readers_see_dated_numbered_entries_and_the_open_sign_off_question(self):
        """The publication reviews itself in the open: a sign-off question is public
        under its entry unless the editor marked it internal."""
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "Rewritten, reframed.")
        self.assertContains(response, f'id="correction-{self.entry.pk}"')
        self.assertContains(response, "27 Apr 2026")
        self.assertContains(response, "Open question for sign-off")
        self.assertContains(response, "REVIEW: assess whether D is preferable.")
        self.assertContains(response, reverse("corrections:policy"))

    def test_readers_see_the_answer_with_its_date(self):
        from corrections.services import signoff_answer

        signoff_answer(request=self.entry.signoff_request, answer="Keep it; the reframing fits.", admin=self.admin)
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "Signed off")
        self.assertContains(response, '<strong>Answer (<time datetime="2026-04-27">27 Apr 2026</time>):</strong> Keep it; the reframing fits.', html=True)

    def test_a_question_marked_internal_stays_with_staff(self):
        article = make_article()
        make_entry(
            article=article, kind="update", text="An update.", signoff_question="INTERNAL: about a person.",
            signoff_addressed_to=self.admin, signoff_internal=True,
        )
        self.assertNotContains(self.client.get(article.get_absolute_url()), "INTERNAL: about a person.")
        self.client.force_login(make_editor())
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "INTERNAL: about a person.")
        self.assertContains(response, "Staff only (internal)")

    def test_readers_see_that_an_entry_was_amended_when_why_and_the_earlier_text(self):
        """Nothing changes off the record: an amendment is public, not a silent edit."""
        for url in [self.article.get_absolute_url(), reverse("corrections:log")]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Amended")
                self.assertContains(response, '<time datetime="2026-04-27T', html=False)
                self.assertContains(response, "Clearer.")
                self.assertContains(response, "<del>Rewritten text.</del>", html=False)
                self.assertNotContains(response, self.admin.get_username())

    def test_staff_see_the_open_request_and_the_old_text(self):
        self.client.force_login(make_editor())
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "Open question for sign-off")
        self.assertContains(response, "REVIEW: assess whether D is preferable.")
        self.assertContains(response, "<del>Rewritten text.</del>", html=False)
        self.assertContains(response, "(shown to staff)")


@time_machine.travel(FROZEN, tick=False)
class SingleItemDeskPageQueryCountTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.client.force_login(self.admin)
        self.entry = make_entry(
            article=make_article(), kind="update", text="v0", signoff_question="Q?", signoff_addressed_to=self.admin
        )
        for n in range(1, 6):
            correction_entry_amend(entry=self.entry, new_text=f"v{n}", reason=f"r{n}", admin=self.admin)

    def test_amend_page(self):
        # session, user, groups, entry with article, amendments with their admin, footer
        with self.assertNumQueries(6):
            response = self.client.get(reverse("corrections:entry_amend", kwargs={"pk": self.entry.pk}))
        self.assertContains(response, "Earlier text", count=5)

    def test_answer_page(self):
        # session, user, groups, request with entry, article and people, footer
        with self.assertNumQueries(5):
            self.client.get(reverse("corrections:signoff_answer", kwargs={"pk": self.entry.signoff_request.pk}))


class CorrectionLogFilterTests(TestCase):
    """The site-wide log's filters: a bad value is reported where it was given and
    never silently drops the other, valid one; the error the field points at exists."""

    def test_valid_filter_applies_beside_an_invalid_one(self):
        from tests.factories import make_article, make_correction, make_pillar

        pillar = make_pillar(slug="kept")
        make_correction(article=make_article(pillar=pillar), text="In the kept pillar.")
        make_correction(article=make_article(), text="Elsewhere.")
        response = self.client.get("/corrections/?kind=nonsense&pillar=kept")
        self.assertContains(response, "In the kept pillar.")
        self.assertNotContains(response, "Elsewhere.")
        self.assertContains(response, 'aria-describedby="id_kind_error"')
        self.assertContains(response, 'id="id_kind_error"')
        self.assertContains(response, '<link rel="canonical" href="http://127.0.0.1:8000/corrections/">', html=True)
