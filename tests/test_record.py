"""Nothing changes off the record (issue 11): every action, called directly as a
view, the admin, a task or the demo would call it, writes exactly one Event
naming who did it and the public objects it touched, and refuses a signed-in
person without the role before writing anything. Then the entries the system
writes cannot be forged, backdated or put on a draft.

Each case below calls one action the way its callers do; CASES is the table
the tests walk, and a test checks that no action is missing from it.
"""

import datetime
import importlib
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from articles.models import Article, Pillar, Rewrite, Section
from articles.services import (
    cover_metadata_strip,
    rewrite_draft,
    rewrite_reject,
    rewrite_withdraw,
)
from claims.models import Verdict
from claims.services import (
    DRAFT_FIELDS,
    ClaimDraft,
    article_draft_save,
    article_go_live,
    article_publish,
    article_send_back,
    article_submit,
    claim_assign,
    claim_create,
    claim_reschedule,
    trigger_fire,
)
from corrections.models import CorrectionEntry, ErrorReport, SignOffRequest
from corrections.services import (
    CorrectionLogRefused,
    article_fix,
    article_retire,
    correction_entry_amend,
    correction_entry_write,
    error_report_correct,
    error_report_decline,
    error_report_submit,
    material_dissent_entry,
    rewrite_approve,
    signoff_answer,
    verdict_change_entry,
)
from dissent.models import Dissent
from dissent.services import dissent_reject, dissent_submit, dissent_weigh
from reviews.followers.models import WebhookEndpoint
from reviews.followers.services import webhook_register, webhook_set_active
from reviews.services import review_record
from reviews.models import Review, SecondReview
from reviews.services import second_review_record, second_review_settle
from tests.dissent.helpers import ARGUMENT
from tests.factories import (
    make_admin,
    make_article,
    make_claim,
    make_editor,
    make_entry,
    make_pillar,
    make_section,
    make_user,
)
from vigil.actions import ADMIN, EDITOR, READER
from vigil.admin import STAFF, admin_add, admin_change, admin_delete
from vigil.models import Event
from vigil.people import person_invite, person_join, role_grant, role_withdraw
from vigil.roles import display_name, is_editor

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)

ANOTHER_ARGUMENT = (
    "The second survey the article leans on asked a different question from the first, so the "
    "two cannot be read as a trend; the sample frames differ and the later one excludes small "
    "firms altogether. The verdict should say that the comparison does not hold."
)


class World:
    """One published piece with everything an action can act on: its primary
    claim (a trigger, a reader's dissent), an open rewrite, an error report, an
    entry with an open sign-off request; a second piece to redirect to; a draft;
    a section no piece is in."""

    def __init__(self):
        self.editor = make_editor(first_name="Ines", last_name="Okafor")
        self.other_editor = make_editor(first_name="Tom", last_name="Reyes")
        self.admin = make_admin(first_name="Peter", last_name="Hale")
        self.pillar = pillar = make_pillar(slug="energy")
        section = make_section(slug="understanding-ai")
        self.spare_section = make_section(slug="unused")
        self.article = make_article(slug="wind-power", pillar=pillar, section=section)
        self.claim = make_claim(
            article=self.article,
            is_primary=True,
            triggers=["A grid operator reports curtailment above 10%."],
        )
        self.trigger = self.claim.triggers.get()
        self.dissent = Dissent.objects.create(
            claim=self.claim, argument=ARGUMENT, name="Ada Reader", consent_to_credit=True
        )
        self.rewrite = Rewrite.objects.create(
            article=self.article,
            title="Wind power, revisited",
            body_markdown="The new body.",
            reader_note="We are rewriting this piece against the 2026 figures.",
            drafted_by=self.editor,
        )
        self.report = ErrorReport.objects.create(
            article=self.article, what_is_wrong="The capacity figure is 12 GW, not 21 GW."
        )
        self.webhook = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook", secret="s")
        self.entry = make_entry(
            article=self.article,
            text="Updated the capacity figures.",
            created_by=self.editor,
            signoff_question="REVIEW: assess whether the framing still fits.",
            signoff_addressed_to=self.admin,
        )
        # Its cover was stored before originals lost their metadata (the file is
        # written by the cover.strip_metadata case, in a media folder of its own).
        self.target = make_article(
            slug="solar-power", pillar=pillar, section=section, cover="covers/2025/solar.jpg"
        )
        make_claim(article=self.target, is_primary=True)
        self.draft = make_article(
            slug="tidal-power",
            pillar=pillar,
            section=section,
            status=Article.Status.DRAFT,
            published_on=None,
        )
        self.draft_claim = make_claim(
            article=self.draft, is_primary=True, triggers=["A first tidal farm reaches its target."]
        )
        # One piece waiting for sign-off, one whose scheduled minute has come.
        self.submitted = make_article(
            slug="wave-power", pillar=pillar, section=section, status=Article.Status.SUBMITTED,
            published_on=None,
        )
        self.scheduled = make_article(
            slug="geothermal", pillar=pillar, section=section, status=Article.Status.SCHEDULED,
            published_on=None, publish_at=FROZEN - datetime.timedelta(minutes=1), signed_off_user=self.admin,
        )
        self.scheduled_claim = make_claim(article=self.scheduled, is_primary=True, triggers=["A new plant."])
        # A review sampled for a blind second review, and a disagreement to settle.
        self.sampled_claim = make_claim(article=self.target)
        self.second_review = SecondReview.objects.create(
            first_review=make_review(self.sampled_claim, editor=self.other_editor),
            reviewer=self.editor,
        )
        self.disputed_claim = make_claim(article=self.target)
        self.disagreement = SecondReview.objects.create(
            first_review=make_review(self.disputed_claim, editor=self.editor),
            reviewer=self.other_editor,
            verdict=Verdict.NOT_HOLDING,
            reasoning="The replication failed for me.",
            completed_at=FROZEN,
        )


def make_review(claim, *, editor):
    """A review as test data (the review.record case records one through the action)."""
    return Review.objects.create(
        claim=claim,
        editor=editor,
        reviewed_on=TODAY,
        verdict_before=Verdict.PARTIAL,
        verdict_after=Verdict.HOLDING,
        cadence_days=60,
        next_review_due=TODAY + datetime.timedelta(days=60),
        reasoning="The replication held.",
    )


def article(a):
    return ("article", a.slug)


def places(a):
    """The pillar and section an article is listed under."""
    return ("pillar", a.pillar.slug), ("section", a.section.slug)


def claim(c):
    return ("claim", c.code)


@dataclass(frozen=True)
class Case:
    action: str
    role: object
    run: Callable  # run(world, user) calls the action; user is None for readers' actions
    subjects: Callable  # subjects(world, result) -> the (kind, key) pairs the event must name


CASES = []


def case(action, *, role, subjects):
    def register(run):
        CASES.append(Case(action, role, run, subjects))
        return run

    return register


# --- Claims -------------------------------------------------------------------


@case("claim.create", role=EDITOR, subjects=lambda w, new: {claim(new), article(w.article)})
def create_a_claim(w, user):
    return claim_create(
        actor=user,
        article=w.article,
        statement="Offshore capacity doubles by 2030.",
        verdict=Verdict.PARTIAL,
    )


@case("trigger.fire", role=EDITOR, subjects=lambda w, _: {claim(w.claim), article(w.article)})
def fire_a_trigger(w, user):
    return trigger_fire(
        trigger=w.trigger, editor=user, note="The operator's March report says 12%."
    )


@case("claim.assign", role=EDITOR, subjects=lambda w, _: {claim(w.claim), article(w.article)})
def assign_a_claim(w, user):
    return claim_assign(claim=w.claim, editor=w.other_editor, assigned_by=user)


@case("claim.reschedule", role=EDITOR, subjects=lambda w, _: {claim(w.claim), article(w.article)})
def reschedule_a_claim(w, user):
    """Spreading a pile-up: 64 days after publication (15 Jan), in its window."""
    return claim_reschedule(
        claim=w.claim, editor=user, due_on=datetime.date(2026, 3, 20), reason="spreading a pile-up"
    )


# Its pillar and section now list it.
@case("article.publish", role=ADMIN, subjects=lambda w, _: {
    article(w.draft), claim(w.draft_claim), places(w.draft)[0], places(w.draft)[1]})
def publish_a_draft(w, user):
    return article_publish(article=w.draft, admin=user)


@case("article.draft", role=EDITOR, subjects=lambda w, _: {article(w.draft), claim(w.draft_claim)})
def save_a_draft(w, user):
    return article_draft_save(
        editor=user,
        article=w.draft,
        fields={name: getattr(w.draft, name) for name in DRAFT_FIELDS} | {"title": "Tidal power, at last"},
        claims=[ClaimDraft(pk=w.draft_claim.pk, statement="The first farm delivers.", triggers=["A report."])],
        expected_version=w.draft.draft_version,
    )


@case("article.submit", role=EDITOR, subjects=lambda w, _: {article(w.draft)})
def submit_a_draft(w, user):
    return article_submit(article=w.draft, editor=user)


@case("article.send_back", role=ADMIN, subjects=lambda w, _: {article(w.submitted)})
def send_a_piece_back(w, user):
    return article_send_back(article=w.submitted, admin=user, reason="Source the capacity figure.")


@case("article.go_live", role=ADMIN, subjects=lambda w, _: {
    article(w.scheduled), claim(w.scheduled_claim), *places(w.scheduled)})
def put_a_scheduled_piece_live(w, user):
    return article_go_live(article=w.scheduled, admin=user)


@case("article.fix", role=EDITOR, subjects=lambda w, _: {article(w.article)})
def fix_a_small_error(w, user):
    return article_fix(
        article=w.article, editor=user, title=w.article.title, dek=w.article.dek,
        body_markdown=w.article.body_markdown + "\n\nThe capacity is 12 GW.",
        entry_text="The capacity is 12 GW, not 21 GW.",
    )


# --- Reviews --------------------------------------------------------------------


# A first review moves the footer's count of claims reviewed, on every page.
@case("review.record", role=EDITOR, subjects=lambda w, _: {claim(w.claim), article(w.article), ("site", "footer")})
def record_a_review(w, user):
    """Moves the verdict and weighs the dissent as material: three entries' worth of work, one event."""
    return review_record(
        claim=w.claim,
        editor=user,
        verdict=Verdict.HOLDING,
        cadence_days=45,
        reasoning="Two later surveys agree with the first.",
        weighings={w.dissent.pk: True},
    )


@case(
    "second_review.record",
    role=EDITOR,
    subjects=lambda w, _: {claim(w.sampled_claim), article(w.target)},
)
def record_a_blind_second_review(w, user):
    if is_editor(user) and w.second_review.reviewer != user:
        # Given to whoever takes it here (an admin may too); a refused person changes nothing.
        SecondReview.objects.filter(pk=w.second_review.pk).update(reviewer=user)
    return second_review_record(
        second_review=w.second_review, editor=user, verdict=Verdict.HOLDING, reasoning="It held."
    )


@case(
    "second_review.settle",
    role=ADMIN,
    # The settlement is a review: the footer's reviewed count too.
    subjects=lambda w, _: {claim(w.disputed_claim), article(w.target), ("site", "footer")},
)
def settle_a_disagreement(w, user):
    """Records the settled verdict as a review: one event for both."""
    return second_review_settle(
        second_review=w.disagreement, admin=user, verdict=Verdict.PARTIAL, reasoning="Both half right."
    )


# --- Correction log and sign-off --------------------------------------------------


@case("correction.write", role=EDITOR, subjects=lambda w, _: {article(w.article), claim(w.claim)})
def write_an_entry(w, user):
    return correction_entry_write(
        article=w.article,
        claim=w.claim,
        kind=CorrectionEntry.Kind.CORRECTION,
        text="Corrected the year of the survey to 2024.",
        editor=user,
    )


@case("correction.amend", role=ADMIN, subjects=lambda w, _: {article(w.article)})
def amend_an_entry(w, user):
    return correction_entry_amend(
        entry=w.entry,
        new_text="Updated the capacity and output figures.",
        reason="Named both figures.",
        admin=user,
    )


@case("signoff.answer", role=ADMIN, subjects=lambda w, _: {article(w.article)})
def answer_a_signoff_request(w, user):
    return signoff_answer(request=w.entry.signoff_request, answer="It fits; keep it.", admin=user)


@case("error_report.submit", role=READER, subjects=lambda w, _: {article(w.article)})
def submit_an_error_report(w, user):
    return error_report_submit(article=w.article, what_is_wrong="The chart's axis is mislabelled.")


@case("error_report.decline", role=EDITOR, subjects=lambda w, _: {article(w.article)})
def decline_an_error_report(w, user):
    return error_report_decline(report=w.report, editor=user)


@case("error_report.correct", role=EDITOR, subjects=lambda w, _: {article(w.article)})
def correct_from_an_error_report(w, user):
    return error_report_correct(
        report=w.report, editor=user, text="Corrected the capacity to 12 GW."
    )


# --- Rewrites and retirement ------------------------------------------------------


@case("rewrite.draft", role=EDITOR, subjects=lambda w, _: {article(w.target)})
def draft_a_rewrite(w, user):
    return rewrite_draft(
        article=w.target,
        editor=user,
        title="Solar power, revisited",
        dek="",
        body_markdown="A new body.",
        reader_note="We are rewriting this piece.",
    )


@case("rewrite.withdraw", role=EDITOR, subjects=lambda w, _: {article(w.article)})
def withdraw_a_rewrite(w, user):
    return rewrite_withdraw(rewrite=w.rewrite, editor=user)


@case("rewrite.reject", role=ADMIN, subjects=lambda w, _: {article(w.article)})
def reject_a_rewrite(w, user):
    return rewrite_reject(
        rewrite=w.rewrite, admin=user, reason="The new framing overstates the evidence."
    )


@case("rewrite.approve", role=ADMIN, subjects=lambda w, _: {article(w.article), claim(w.claim)})
def approve_a_rewrite(w, user):
    return rewrite_approve(rewrite=w.rewrite, admin=user, open_review=True)


@case("article.retire", role=ADMIN, subjects=lambda w, _: {
    article(w.article), article(w.target), *places(w.article)})
def retire_an_article(w, user):
    return article_retire(article=w.article, admin=user, redirect_to=w.target, reason="Superseded.")


@case("cover.strip_metadata", role=ADMIN, subjects=lambda w, _: {article(w.target)})
def strip_a_cover_of_its_metadata(w, user):
    from tests.articles.test_strip_cover_metadata import phone_jpeg

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        default_storage.save(w.target.cover.name, ContentFile(phone_jpeg()))
        return cover_metadata_strip(article=w.target, admin=user)


# --- Dissent ----------------------------------------------------------------------


@case("dissent.submit", role=READER, subjects=lambda w, _: {claim(w.claim), article(w.article)})
def submit_dissent(w, user):
    return dissent_submit(
        claim=w.claim, argument=ANOTHER_ARGUMENT, name="Bo Reader", consent_to_credit=True
    )


@case("dissent.weigh", role=EDITOR, subjects=lambda w, _: {claim(w.claim), article(w.article)})
def weigh_dissent_as_material(w, user):
    return dissent_weigh(
        dissent=w.dissent, material=True, editor=user, note="The later surveys matter."
    )


@case("dissent.reject", role=EDITOR, subjects=lambda w, _: {claim(w.claim)})
def reject_dissent(w, user):
    return dissent_reject(dissent=w.dissent, editor=user, note="Advertising.")


# --- People (vigil/people.py) -----------------------------------------------------


@case("person.invite", role=ADMIN, subjects=lambda w, _: {("person", "new@example.org")})
def invite_a_person(w, user):
    return person_invite(admin=user, email="new@example.org", name="New Person", role="editor")


@case("role.grant", role=ADMIN, subjects=lambda w, _: {("person", w.editor.username)})
def grant_a_role(w, user):
    return role_grant(admin=user, person=w.editor, role="admin")


@case("role.withdraw", role=ADMIN, subjects=lambda w, _: {("person", w.other_editor.username)})
def withdraw_a_role(w, user):
    return role_withdraw(admin=user, person=w.other_editor, role="editor")


@case("person.join", role=EDITOR, subjects=lambda w, _: {("person", w.editor.username)})
def accept_an_invitation(w, user):
    # The invited person is the actor: only someone given a role may join.
    return person_join(person=user, password="a long passphrase 42")


# --- The Django admin's own edits (vigil/admin.py) ----------------------------------
# RecordedAdmin hands each save or delete to these as `work`; called directly,
# the work is what the admin's save would do.


@case("admin.add", role=STAFF, subjects=lambda w, _: {("section", "grids")})
def add_a_section_in_the_admin(w, user):
    def work(record):
        section = Section.objects.create(name="Grids", slug="grids")
        record.touch(section)
        record.say("Added section “Grids”")
        return section

    return admin_add(user=user, model=Section, work=work)


@case("admin.change", role=STAFF, subjects=lambda w, _: {("pillar", "energy")})
def change_a_pillar_in_the_admin(w, user):
    def work(record):
        Pillar.objects.filter(pk=w.pillar.pk).update(description="Where the grid is going.")
        record.touch(w.pillar)
        record.say("Changed pillar: description changed")

    return admin_change(user=user, model=Pillar, work=work)


@case("admin.delete", role=STAFF, subjects=lambda w, _: {("section", "unused")})
def delete_a_section_in_the_admin(w, user):
    def work(record):
        record.touch(w.spare_section)
        record.say("Deleted section “unused”")
        w.spare_section.delete()

    return admin_delete(user=user, model=Section, work=work)


# --- Helpers ----------------------------------------------------------------------


def the_actions():
    """Every @action the project defines, by name: the apps' services and any
    other module of ours that defines one (the admin's own, in vigil.admin)."""
    ours = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and ".venv" not in Path(config.path).parts
    ]
    for name in ours:
        for module in ("services", "admin"):
            try:
                importlib.import_module(f"{name}.{module}")
            except ModuleNotFoundError:
                pass
    get_resolver().url_patterns  # noqa: B018 -- loads every view module, and what they import
    found = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.partition(".")[0] not in ours:
            continue
        for value in vars(module).values():
            if getattr(value, "action_name", None) and value.__module__ == module_name:
                found[value.action_name] = value
    return found


def snapshot():
    """Every row of every table, to show that a refused action changed nothing."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def writes(queries):
    verbs = ("INSERT", "UPDATE", "DELETE", "REPLACE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


# --- Webhook endpoints (followers) ------------------------------------------------


def _local_hooks_allowed():
    return override_settings(VIGIL={**settings.VIGIL, "WEBHOOKS_ALLOW_PRIVATE": True})


@case("webhook.register", role=ADMIN, subjects=lambda w, _: set())
def register_a_webhook(w, user):
    with _local_hooks_allowed():
        return webhook_register(url="http://127.0.0.1:9/hook", events=["review.record"], admin=user)


@case("webhook.set_active", role=ADMIN, subjects=lambda w, _: set())
def disable_a_webhook(w, user):
    return webhook_set_active(endpoint=w.webhook, active=False, admin=user)


class FreshWorld:
    """A World for one case, rolled back afterwards so the cases do not meet."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        return World()

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)
        return False


@time_machine.travel(FROZEN, tick=False)
class EveryActionIsOnTheRecordTests(TestCase):
    def test_every_action_has_a_case(self):
        """A new action without a case here would escape these tests."""
        self.assertEqual(sorted(case.action for case in CASES), sorted(the_actions()))

    def test_each_case_declares_the_actions_role(self):
        actions = the_actions()
        for case in CASES:
            with self.subTest(case.action):
                self.assertIs(actions[case.action].role, case.role)

    def test_each_action_writes_one_event_with_its_actor_and_objects(self):
        for case in CASES:
            with self.subTest(case.action), FreshWorld() as w:
                # The least role that may: an editor for editors' actions, else an admin.
                actor = {READER: None, EDITOR: w.editor}.get(case.role, w.admin)
                before = Event.objects.count()
                result = case.run(w, actor)
                self.assertEqual(Event.objects.count(), before + 1, "exactly one event")
                event = Event.objects.newest_first().prefetch_related("subjects").first()
                self.assertEqual(event.action, case.action)
                self.assertEqual(event.actor, actor)
                self.assertEqual(event.actor_name, display_name(actor) if actor else "a reader")
                self.assertEqual(event.at, FROZEN)
                self.assertTrue(event.summary.strip())
                self.assertEqual(
                    {(subject.kind, subject.key) for subject in event.subjects.all()},
                    case.subjects(w, result),
                )

    def test_an_admin_may_take_the_editors_actions(self):
        for case in CASES:
            if case.role is not EDITOR:
                continue
            with self.subTest(case.action), FreshWorld() as w:
                case.run(w, w.admin)
                self.assertEqual(Event.objects.newest_first().first().actor, w.admin)

    def test_a_signed_in_person_without_the_role_is_refused_and_nothing_is_written(self):
        for case in CASES:
            if case.role is READER:
                continue
            with FreshWorld() as w:
                refused = {
                    "a plain user": make_user(),
                    "staff outside the groups": make_user(is_staff=True),
                    "a signed-out visitor": AnonymousUser(),
                }
                if case.role is not EDITOR:  # an admin's, or the Django admin's
                    refused["an editor"] = w.editor
                before = snapshot()
                for who, person in refused.items():
                    with self.subTest(case.action, who=who):
                        with (
                            CaptureQueriesContext(connection) as queries,
                            self.assertRaises(PermissionDenied),
                        ):
                            case.run(w, person)
                        self.assertEqual(writes(queries.captured_queries), [])
                        self.assertEqual(snapshot(), before)


# --- Entries the system writes cannot be forged -----------------------------------


@time_machine.travel(FROZEN, tick=False)
class HandWrittenEntryTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article(published_on=datetime.date(2026, 1, 15))
        self.claim = make_claim(article=self.article, is_primary=True)

    def assertNothingWritten(self):
        self.assertFalse(CorrectionEntry.objects.exists())
        self.assertFalse(SignOffRequest.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_entries_the_system_writes_are_refused_by_hand_with_a_reason(self):
        for kind in ("verdict_change", "material_dissent", "rewrite", "retirement"):
            label = CorrectionEntry.Kind(kind).label
            with (
                self.subTest(kind),
                self.assertRaisesMessage(
                    CorrectionLogRefused,
                    f"A “{label}” entry is written by the action it records (a review, a weighing, "
                    "a sign-off), never by hand. Write a correction, a clarification or an update.",
                ),
            ):
                correction_entry_write(
                    article=self.article,
                    claim=self.claim,
                    kind=kind,
                    text=f"Verdict on {self.claim.code} changed from Partial to Holding.",
                    editor=self.editor,
                )
        self.assertNothingWritten()

    def test_an_unknown_kind_is_refused(self):
        with self.assertRaises(CorrectionLogRefused):
            correction_entry_write(
                article=self.article, kind="retraction", text="Retracted.", editor=self.editor
            )
        self.assertNothingWritten()

    def test_the_system_entries_cannot_be_written_outside_their_action(self):
        with self.assertRaises(PermissionDenied):
            verdict_change_entry(
                claim=self.claim,
                editor=self.editor,
                verdict_before=Verdict.PARTIAL,
                verdict_after=Verdict.HOLDING,
                reasoning="Forged.",
                record=None,
            )
        dissent = Dissent.objects.create(claim=self.claim, argument=ARGUMENT)
        with self.assertRaises(PermissionDenied):
            material_dissent_entry(dissent=dissent, editor=self.editor, note="Forged.", record=None)
        self.assertNothingWritten()

    def test_an_entry_is_dated_today_and_the_action_takes_no_date(self):
        entry = correction_entry_write(
            article=self.article, kind="correction", text="Corrected the year.", editor=self.editor
        )
        self.assertEqual(entry.entry_on, TODAY)
        with self.assertRaises(TypeError):
            correction_entry_write(
                article=self.article,
                kind="correction",
                text="Backdated.",
                editor=self.editor,
                entry_on=datetime.date(2025, 1, 15),
            )
        self.assertEqual(CorrectionEntry.objects.count(), 1)

    def test_a_written_entry_cannot_be_redated_or_turned_into_a_system_entry(self):
        """update_fields is how an amendment passes the append-only guard (it saves
        the text); it must not let a new date or kind through."""
        entry = correction_entry_write(
            article=self.article, kind="correction", text="Corrected the year.", editor=self.editor
        )
        for field, value in (("entry_on", datetime.date(2025, 1, 15)), ("kind", "verdict_change")):
            with self.subTest(field):
                setattr(entry, field, value)
                with self.assertRaises(ValidationError):
                    entry.save(update_fields=[field])
                entry.refresh_from_db()
        self.assertEqual((entry.entry_on, entry.kind), (TODAY, "correction"))

    def test_an_entry_names_only_a_claim_of_its_own_article(self):
        """Otherwise another piece's claim page (and its event trail) carries the entry."""
        elsewhere = make_claim(article=make_article(), is_primary=True)
        with self.assertRaises(CorrectionLogRefused):
            correction_entry_write(
                article=self.article,
                claim=elsewhere,
                kind="correction",
                text="Corrected the year.",
                editor=self.editor,
            )
        self.assertNothingWritten()

    def test_a_draft_has_no_correction_log(self):
        draft = make_article(status=Article.Status.DRAFT, published_on=None)
        with self.assertRaisesMessage(
            CorrectionLogRefused, "Only a published article has a correction log."
        ):
            correction_entry_write(
                article=draft, kind="update", text="Too early.", editor=self.editor
            )
        self.assertNothingWritten()

    def test_an_article_dated_in_the_future_has_no_correction_log_yet(self):
        ahead = make_article(published_on=TODAY + datetime.timedelta(days=1))
        with self.assertRaisesMessage(
            CorrectionLogRefused, "Only a published article has a correction log."
        ):
            correction_entry_write(
                article=ahead, kind="update", text="Too early.", editor=self.editor
            )
        self.assertNothingWritten()

    def test_a_retired_article_takes_no_hand_written_entry(self):
        retired = make_article(status=Article.Status.RETIRED, redirect_to=self.article)
        with self.assertRaises(CorrectionLogRefused):
            correction_entry_write(
                article=retired, kind="update", text="Too late.", editor=self.editor
            )
        self.assertNothingWritten()


@time_machine.travel(FROZEN, tick=False)
class DeskEntryFormTests(TestCase):
    """/desk/corrections/, as an editor uses it."""

    url = "/desk/corrections/"

    def setUp(self):
        self.editor = make_editor()
        self.article = make_article(title="Wind power", published_on=datetime.date(2026, 1, 15))
        self.client.force_login(self.editor)

    def post(self, **fields):
        data = {
            "article": self.article.pk,
            "kind": "correction",
            "text": "Typed with care.",
            "signoff_question": "",
            "signoff_addressed_to": "",
        }
        data.update(fields)
        return self.client.post(self.url, data)

    def test_the_url_is_the_desk_entry_form(self):
        self.assertEqual(reverse("corrections:desk_entries"), self.url)

    def test_a_verdict_change_is_refused_with_a_reason_and_the_text_is_kept(self):
        response = self.post(kind="verdict_change", text="Verdict changed from Partial to Holding.")
        self.assertContains(
            response,
            "An editor writes a correction, a clarification or an update; verdict changes, material "
            "dissent, rewrites and retirements are written by the actions they record.",
            status_code=400,
        )
        self.assertContains(response, "Verdict changed from Partial to Holding.", status_code=400)
        self.assertFalse(CorrectionEntry.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_the_form_offers_only_the_hand_written_kinds(self):
        response = self.client.get(self.url)
        for kind in ("correction", "clarification", "update"):
            self.assertContains(response, f'value="{kind}"')
        for kind in ("verdict_change", "material_dissent", "rewrite", "retirement"):
            self.assertNotContains(response, f'value="{kind}"')

    def test_a_posted_date_is_ignored_the_entry_is_dated_today(self):
        response = self.post(entry_on="2025-01-15")
        self.assertRedirects(response, self.url)
        entry = CorrectionEntry.objects.get()
        self.assertEqual(entry.entry_on, TODAY)
        self.assertEqual(Event.objects.get().action, "correction.write")

    def test_a_draft_article_cannot_be_chosen(self):
        draft = make_article(status=Article.Status.DRAFT, published_on=None)
        response = self.post(article=draft.pk)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Typed with care.", status_code=400)
        self.assertFalse(CorrectionEntry.objects.exists())
        self.assertFalse(Event.objects.exists())
