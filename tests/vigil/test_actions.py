"""The action pipeline itself (vigil/actions.py), through small actions defined
here: the role check, the one transaction, the one Event, the after-commit work.
tests/test_record.py checks every real action against the same promises."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from articles.models import Pillar
from tests.factories import make_editor, make_user
from vigil import actions
from vigil.actions import EDITOR, READER, action, after_commit, require_running, running
from vigil.freshness import content_version
from vigil.models import Event, EventSubject

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class Refused(Exception):
    """What the failing actions below raise once they have written."""


@action("test.pillar_open", role=EDITOR, actor="editor")
def pillar_open(*, slug, editor, record, then=None):
    """Create a pillar; `then` runs inside the action afterwards (a nested action, a failure)."""
    pillar = Pillar.objects.create(name=slug.title(), slug=slug, description="From a test action.")
    record.touch(pillar)
    record.say(f"Pillar {slug} opened")
    if then is not None:
        then(record)
    return pillar


@action("test.pillar_describe", role=EDITOR, actor="editor")
def pillar_describe(*, slug, editor, record):
    pillar = Pillar.objects.get(slug=slug)
    pillar.description = "Described by the inner action."
    pillar.save(update_fields=["description"])
    record.touch(section="inner-touched")
    record.say(f"Pillar {slug} described")
    return pillar


@action("test.reader_note", role=READER)
def reader_note(*, slug, record):
    Pillar.objects.create(name=slug.title(), slug=slug, description="A reader's.")
    record.touch(pillar=slug)
    return slug


def fail(record):
    raise Refused("refused after writing")


def writes(queries):
    """The statements in `queries` that change the database."""
    verbs = ("INSERT", "UPDATE", "DELETE", "REPLACE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


@time_machine.travel(FROZEN, tick=False)
class OneEventPerActionTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Ines", last_name="Okafor")

    def test_an_action_writes_one_event_naming_who_what_and_the_objects(self):
        pillar = pillar_open(slug="energy", editor=self.editor)
        event = Event.objects.get()
        self.assertEqual(event.action, "test.pillar_open")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.actor_name, "Ines Okafor")
        self.assertEqual(event.at, FROZEN)
        self.assertEqual(event.summary, "Pillar energy opened")
        self.assertEqual(event.keys("pillar"), [pillar.slug])

    def test_a_readers_action_has_no_actor(self):
        reader_note(slug="from-a-reader")
        event = Event.objects.get()
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "a reader")
        self.assertEqual(event.keys("pillar"), ["from-a-reader"])

    def test_a_nested_action_joins_the_outer_event(self):
        """A review weighing dissent is one act on the record, not two."""

        def describe(record):
            pillar_describe(slug="energy", editor=self.editor)

        pillar_open(slug="energy", editor=self.editor, then=describe)
        event = Event.objects.get()
        self.assertEqual(event.action, "test.pillar_open")
        self.assertEqual(event.summary, "Pillar energy opened\nPillar energy described")
        self.assertEqual(
            {(subject.kind, subject.key) for subject in event.subjects.all()},
            {("pillar", "energy"), ("section", "inner-touched")},
        )
        self.assertEqual(Pillar.objects.get().description, "Described by the inner action.")

    def test_an_object_touched_twice_is_named_once(self):
        def touch_again(record):
            record.touch(pillar="energy")

        pillar_open(slug="energy", editor=self.editor, then=touch_again)
        self.assertEqual(EventSubject.objects.count(), 1)

    def test_actions_one_after_another_write_one_event_each(self):
        pillar_open(slug="energy", editor=self.editor)
        pillar_open(slug="water", editor=self.editor)
        self.assertEqual(
            list(Event.objects.order_by("pk").values_list("summary", flat=True)),
            ["Pillar energy opened", "Pillar water opened"],
        )

    def test_no_action_is_running_outside_one(self):
        seen = []
        pillar_open(slug="energy", editor=self.editor, then=lambda record: seen.append(running()))
        self.assertEqual(seen[0].action, "test.pillar_open")
        self.assertIsNone(running())


@time_machine.travel(FROZEN, tick=False)
class RoleTests(TestCase):
    def test_a_refused_role_raises_before_anything_is_written(self):
        ran = []
        for person in (make_user(), make_user(is_staff=True), make_editor(is_active=False)):
            with self.subTest(person=person.username):
                with (
                    CaptureQueriesContext(connection) as queries,
                    self.assertRaisesMessage(
                        PermissionDenied, "Only editors may do this (test.pillar_open)."
                    ),
                ):
                    pillar_open(slug="energy", editor=person, then=lambda record: ran.append(True))
                self.assertEqual(writes(queries.captured_queries), [])
        self.assertEqual(ran, [])
        self.assertFalse(Pillar.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_an_action_without_its_actor_is_refused(self):
        with self.assertRaises(PermissionDenied):
            pillar_open(slug="energy", editor=None)
        self.assertFalse(Event.objects.exists())

    def test_a_nested_action_checks_its_own_role_and_the_refusal_undoes_the_outer(self):
        editor, plain = make_editor(), make_user()

        def describe_as_plain_user(record):
            pillar_describe(slug="energy", editor=plain)

        with self.assertRaises(PermissionDenied):
            pillar_open(slug="energy", editor=editor, then=describe_as_plain_user)
        self.assertFalse(Pillar.objects.exists())
        self.assertFalse(Event.objects.exists())
        self.assertIsNone(running())

    def test_the_role_is_on_the_action(self):
        self.assertEqual(pillar_open.action_name, "test.pillar_open")
        self.assertIs(pillar_open.role, EDITOR)
        self.assertIs(reader_note.role, READER)


@time_machine.travel(FROZEN, tick=False)
class TransactionTests(TestCase):
    def setUp(self):
        self.editor = make_editor()

    def test_an_exception_rolls_back_the_change_and_the_event(self):
        with self.assertRaises(Refused):
            pillar_open(slug="energy", editor=self.editor, then=fail)
        self.assertFalse(Pillar.objects.exists())
        self.assertFalse(Event.objects.exists())
        self.assertFalse(EventSubject.objects.exists())
        self.assertIsNone(running())

    def test_a_failing_nested_action_rolls_back_the_outer_one(self):
        def describe_then_fail(record):
            pillar_describe(slug="energy", editor=self.editor)
            fail(record)

        with self.assertRaises(Refused):
            pillar_open(slug="energy", editor=self.editor, then=describe_then_fail)
        self.assertFalse(Pillar.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_a_failed_action_leaves_the_next_one_its_own_event(self):
        """The running record is reset after a failure: the next action is not
        folded into a dead one."""
        with self.assertRaises(Refused):
            pillar_open(slug="energy", editor=self.editor, then=fail)
        pillar_open(slug="water", editor=self.editor)
        self.assertEqual(Event.objects.get().summary, "Pillar water opened")

    def test_a_caller_that_catches_a_failure_keeps_only_the_actions_that_succeeded(self):
        with transaction.atomic():
            try:
                pillar_open(slug="energy", editor=self.editor, then=fail)
            except Refused:
                pass
            pillar_open(slug="water", editor=self.editor)
        self.assertEqual(list(Pillar.objects.values_list("slug", flat=True)), ["water"])
        self.assertEqual(Event.objects.count(), 1)


@time_machine.travel(FROZEN, tick=False)
class AfterCommitTests(TestCase):
    """Cache freshness (vigil.freshness.content_changed) is the hook every app
    relies on; the version it bumps shows whether the hooks ran."""

    def setUp(self):
        self.editor = make_editor()
        self.version = content_version()

    def register(self, hook):
        after_commit(hook)
        # No public way to unregister: hooks are registered once, in AppConfig.ready().
        self.addCleanup(actions._hooks.remove, hook)

    def test_hooks_wait_for_the_commit(self):
        seen = []
        self.register(seen.append)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            pillar_open(slug="energy", editor=self.editor)
        self.assertEqual(seen, [])
        self.assertEqual(content_version(), self.version)
        for callback in callbacks:
            callback()
        self.assertEqual(seen, [Event.objects.get()])
        self.assertEqual(content_version(), self.version + 1)

    def test_one_commit_runs_the_hooks_once_for_a_nested_action(self):
        seen = []
        self.register(seen.append)
        with self.captureOnCommitCallbacks(execute=True):
            pillar_open(
                slug="energy",
                editor=self.editor,
                then=lambda record: pillar_describe(slug="energy", editor=self.editor),
            )
        self.assertEqual(len(seen), 1)
        self.assertEqual(content_version(), self.version + 1)

    def test_a_failed_action_runs_no_hooks(self):
        seen = []
        self.register(seen.append)
        with self.captureOnCommitCallbacks(execute=True) as callbacks, self.assertRaises(Refused):
            pillar_open(slug="energy", editor=self.editor, then=fail)
        self.assertEqual(callbacks, [])
        self.assertEqual(seen, [])
        self.assertEqual(content_version(), self.version)

    def test_a_rolled_back_caller_runs_no_hooks(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks, transaction.atomic():
            pillar_open(slug="energy", editor=self.editor)
            transaction.set_rollback(True)
        self.assertEqual(callbacks, [])
        self.assertEqual(content_version(), self.version)
        self.assertFalse(Event.objects.exists())

    def test_an_actions_own_follow_up_runs_after_commit(self):
        sent = []

        def queue_mail(record):
            record.on_commit(lambda: sent.append(Pillar.objects.get().slug))

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            pillar_open(slug="energy", editor=self.editor, then=queue_mail)
        self.assertEqual(sent, [])
        for callback in callbacks:
            callback()
        self.assertEqual(sent, ["energy"])

    def test_a_failing_hook_is_logged_and_the_caller_gets_its_result(self):
        """The change is committed: the person who made it is not told it failed,
        and the other hooks (cache freshness) still run."""

        def broken_hook(event):
            raise ConnectionError("broker down")

        self.register(broken_hook)

        def broken_follow_up(record):
            record.on_commit(lambda: 1 / 0)

        with (
            self.assertLogs("vigil.actions", level="ERROR") as logged,
            self.captureOnCommitCallbacks(execute=True),
        ):
            pillar = pillar_open(slug="energy", editor=self.editor, then=broken_follow_up)
        self.assertEqual(pillar.slug, "energy")
        self.assertEqual(len(logged.records), 2)
        self.assertIn("ConnectionError: broker down", logged.output[0])
        self.assertIn("ZeroDivisionError", logged.output[1])
        self.assertEqual(content_version(), self.version + 1)
        self.assertTrue(Pillar.objects.filter(slug="energy").exists())


@time_machine.travel(FROZEN, tick=False)
class RealCommitTests(TransactionTestCase):
    """Outside a test transaction: the hooks run when the action's own transaction commits."""

    def test_hooks_run_when_the_action_commits(self):
        version = content_version()
        pillar_open(slug="energy", editor=make_editor())
        self.assertEqual(content_version(), version + 1)

    def test_hooks_of_an_action_inside_a_callers_transaction_wait_for_the_caller(self):
        editor = make_editor()
        version = content_version()
        with transaction.atomic():
            pillar_open(slug="energy", editor=editor)
            self.assertEqual(content_version(), version)
        self.assertEqual(content_version(), version + 1)


class RequireRunningTests(TestCase):
    def test_refused_outside_an_action(self):
        with self.assertRaisesMessage(
            PermissionDenied, "A correction-log entry is written only by the action it records."
        ):
            require_running("A correction-log entry")

    def test_allowed_inside_an_action(self):
        pillar_open(
            slug="energy", editor=make_editor(), then=lambda record: require_running("This")
        )
        self.assertEqual(Event.objects.count(), 1)


@time_machine.travel(FROZEN, tick=False)
class EventsAreAppendOnlyTests(TestCase):
    def setUp(self):
        pillar_open(slug="energy", editor=make_editor())
        self.event = Event.objects.get()
        self.subject = EventSubject.objects.get()

    def test_saving_an_existing_event_is_refused(self):
        self.event.summary = "Something else"
        with self.assertRaises(ValidationError):
            self.event.save()
        self.assertEqual(Event.objects.get().summary, "Pillar energy opened")

    def test_deleting_an_event_is_refused(self):
        with self.assertRaises(ValidationError):
            self.event.delete()
        self.assertTrue(Event.objects.exists())

    def test_updating_or_deleting_events_in_bulk_is_refused(self):
        with self.assertRaises(ValidationError):
            Event.objects.update(summary="rewritten")
        with self.assertRaises(ValidationError):
            Event.objects.filter(pk=self.event.pk).delete()
        self.assertEqual(Event.objects.get().summary, "Pillar energy opened")

    def test_saving_an_existing_subject_is_refused(self):
        self.subject.key = "another-pillar"
        with self.assertRaises(ValidationError):
            self.subject.save()
        self.assertEqual(EventSubject.objects.get().key, "energy")

    def test_deleting_a_subject_is_refused(self):
        with self.assertRaises(ValidationError):
            self.subject.delete()
        self.assertTrue(EventSubject.objects.exists())

    def test_updating_or_deleting_subjects_in_bulk_is_refused(self):
        with self.assertRaises(ValidationError):
            EventSubject.objects.update(key="another-pillar")
        with self.assertRaises(ValidationError):
            EventSubject.objects.all().delete()
        self.assertEqual(EventSubject.objects.get().key, "energy")

    def test_a_deleted_person_is_still_named_on_the_record(self):
        """The actor link is cleared (SET_NULL) but the trail keeps the name."""
        editor = make_editor(first_name="Ada", last_name="Lovelace")
        pillar_open(slug="water", editor=editor)
        editor.delete()
        event = Event.objects.get(subjects__key="water")
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "Ada Lovelace")


@time_machine.travel(FROZEN, tick=False)
class BatchedTests(TestCase):
    """actions.batched(): many calls in one transaction, each its own event."""

    def setUp(self):
        self.editor = make_editor()

    def register(self, hook):
        after_commit(hook)
        self.addCleanup(actions._hooks.remove, hook)

    def test_each_call_is_its_own_event_with_its_own_subjects(self):
        with actions.batched():
            for slug in ("energy", "health", "money"):
                pillar_open(slug=slug, editor=self.editor)
        events = list(Event.objects.order_by("pk"))
        self.assertEqual([e.summary for e in events], [f"Pillar {s} opened" for s in ("energy", "health", "money")])
        self.assertEqual([e.keys("pillar") for e in events], [["energy"], ["health"], ["money"]])
        self.assertEqual({e.actor_id for e in events}, {self.editor.pk})

    def test_the_events_are_written_together_at_the_end(self):
        with CaptureQueriesContext(connection) as queries:
            with actions.batched():
                for n in range(5):
                    pillar_open(slug=f"p{n}", editor=self.editor)
        inserts = [sql for sql in writes(queries.captured_queries) if "vigil_event" in sql]
        self.assertEqual(len(inserts), 2, inserts)  # the events, then their subjects

    def test_a_call_that_raises_is_undone_alone(self):
        with actions.batched():
            pillar_open(slug="energy", editor=self.editor)
            with self.assertRaises(Refused):
                pillar_open(slug="health", editor=self.editor, then=fail)
            with self.assertRaises(PermissionDenied):
                pillar_open(slug="money", editor=make_user())
            pillar_open(slug="water", editor=self.editor)
        self.assertEqual(sorted(Pillar.objects.values_list("slug", flat=True)), ["energy", "water"])
        self.assertEqual(Event.objects.count(), 2)

    def test_hooks_run_after_the_one_commit_for_every_event(self):
        seen = []
        self.register(lambda event: seen.append(event.keys("pillar")))
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            with actions.batched():
                pillar_open(slug="energy", editor=self.editor)
                pillar_open(slug="health", editor=self.editor)
            self.assertEqual(seen, [])
        with self.assertNumQueries(0):  # the events came with their subjects
            for callback in callbacks:
                callback()
        self.assertEqual(seen, [["energy"], ["health"]])

    def test_an_exception_in_the_block_undoes_every_call(self):
        with self.assertRaises(Refused):
            with actions.batched():
                pillar_open(slug="energy", editor=self.editor)
                raise Refused("the caller changed its mind")
        self.assertFalse(Pillar.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_not_inside_an_action(self):
        def nest(record):
            with actions.batched():
                pass

        with self.assertRaises(RuntimeError):
            pillar_open(slug="energy", editor=self.editor, then=nest)
