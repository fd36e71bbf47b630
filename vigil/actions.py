"""The one way to change the record.

Every change to the editorial record or to what readers see is a function in
its app's services.py decorated with @action. The decorator gives each one, in
this one place:

- the role it requires, checked against the acting person inside the action,
  whoever calls it (a view, the Django admin, a task, a command, the demo);
- one transaction;
- exactly one append-only Event (vigil.models): when, who, the action's name,
  the public objects it touched and a short summary;
- after commit, the follow-up work: every hook registered with `after_commit`
  (cache freshness here; the apps add theirs in AppConfig.ready()) is handed
  the event, and a failing hook is logged, never raised: the change is already
  committed and the person who made it must not be told it failed. The failed
  hook is kept (FollowUpRetry) and run again by the periodic job
  (follow_ups_retry), so the cache hears of the change once Redis is back.

The action body receives `record` (a Record) to name what it touched and
what changed. An action called from inside another (a review weighing dissent)
is part of the outer one: its role is checked, its subjects and summary join
the outer event, and no second event is written.

Actions that change no public state of their own still pass through here when
they change the editorial record (assigning a claim, declining a report).

Bulk work (spreading a pile-up over thousands of claims) runs its calls
inside `batched()`: one transaction for many calls, each still checked, still
its own Event, still undone alone if it raises (a savepoint); the events are
inserted together and their after-commit work runs after the one commit.
"""

import contextlib
import contextvars
import datetime
import functools
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from . import roles
from .cache import strict
from .models import Event, EventSubject, FollowUpRetry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Role:
    """Who may run an action. `check` takes the acting user (None for a reader)."""

    label: str
    check: object

    def allows(self, user):
        return self.check(user)


READER = Role("anyone", lambda user: True)
EDITOR = Role("editors", roles.is_editor)
ADMIN = Role("admins", roles.is_admin)


@dataclass
class Record:
    """What an action tells the pipeline about itself while it runs."""

    action: str
    actor: object
    subjects: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    followups: list = field(default_factory=list)

    def touch(self, *objects, **keys):
        """Name the public objects changed: model instances with `event_subjects()`
        (an article, a claim, a pillar…), or kind=key pairs (claim="AM-060")."""
        for obj in objects:
            for kind, key in obj.event_subjects():
                self.subjects[(kind, str(key))] = None
        for kind, key in keys.items():
            if key:
                self.subjects[(kind, str(key))] = None

    def say(self, line):
        """Add a line to the event's before/after summary."""
        if line:
            self.lines.append(line.strip())

    def on_commit(self, func):
        """Queue follow-up work of this action alone (an acknowledgement e-mail)."""
        self.followups.append(func)


_current = contextvars.ContextVar("vigil_action", default=None)
# The records of the calls made inside batched(), waiting for their events.
_batch = contextvars.ContextVar("vigil_action_batch", default=None)
_hooks = []


def after_commit(hook):
    """Register `hook(event)` to run after every action commits. Apps call this
    from AppConfig.ready(); it is also usable as a decorator."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def running():
    """The Record of the action now running, or None outside any action."""
    return _current.get()


def require_running(what):
    """Refuse work that only an action may do (the entries the system writes)."""
    if _current.get() is None:
        raise PermissionDenied(f"{what} is written only by the action it records.")


def action(name, *, role, actor=None):
    """Make a services function an action named `name` ("review.record").

    `actor` names the keyword argument that carries the acting user ("editor",
    "admin"); it is None for readers' actions, which anyone may take.
    """

    def decorator(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            user = kwargs.get(actor) if actor else None
            if actor and (user is None or not role.allows(user)):
                raise PermissionDenied(f"Only {role.label} may do this ({name}).")
            outer = _current.get()
            if outer is not None:
                return func(*args, record=outer, **kwargs)
            record = Record(action=name, actor=user)
            batch = _batch.get()
            token = _current.set(record)
            try:
                # Inside batched(), a savepoint: a call that raises is undone alone.
                with transaction.atomic():
                    result = func(*args, record=record, **kwargs)
                    if batch is not None:
                        batch.append(record)
                    else:
                        event = _write(record)
                        transaction.on_commit(functools.partial(_follow_up, event, record.followups))
            finally:
                _current.reset(token)
            return result

        run.action_name = name
        run.role = role
        return run

    return decorator


@contextlib.contextmanager
def batched():
    """Run many action calls in one transaction, each still its own Event.

    For bulk work where a commit and two inserts per call are most of the
    cost: the calls' events are inserted together when the block ends, and
    each event's after-commit work runs after the one commit. A call that
    raises is undone alone and the others stand. Keep batches short (a few
    hundred calls): their rows stay locked until the block ends."""
    if _batch.get() is not None or _current.get() is not None:
        raise RuntimeError("batched() runs outside any action or other batch.")
    records = []
    token = _batch.set(records)
    try:
        with transaction.atomic():
            yield
            for event, record in zip(_write_many(records), records):
                transaction.on_commit(functools.partial(_follow_up, event, record.followups))
    finally:
        _batch.reset(token)


def _event(record):
    user = record.actor if getattr(record.actor, "pk", None) else None
    return Event(
        action=record.action,
        actor=user,
        actor_name=roles.display_name(user) if user else "a reader",
        summary="\n".join(line for line in record.lines if line)[:4000] or record.action,
    )


def _subjects(event, record):
    return [EventSubject(event=event, kind=kind, key=key[:200]) for kind, key in record.subjects]


def _write(record):
    event = _event(record)
    event.save()
    EventSubject.objects.bulk_create(_subjects(event, record))
    return event


def _write_many(records):
    """The events of a batch, in two inserts; each event knows its subjects,
    so the after-commit work reads none of them again."""
    events = Event.objects.bulk_create([_event(record) for record in records], batch_size=1000)
    EventSubject.objects.bulk_create(
        [subject for event, record in zip(events, records) for subject in _subjects(event, record)],
        batch_size=2000,
    )
    prefetch_related_objects(events, "subjects")
    return events


def _hook_name(hook):
    return f"{hook.__module__}.{hook.__qualname__}"


def _run_hook(hook, event):
    # strict(): a cache that cannot be told raises, so the hook is retried
    # rather than believed done (vigil.cache).
    with strict():
        hook(event)


def _follow_up(event, followups):
    for hook in _hooks:
        try:
            _run_hook(hook, event)
        except Exception as exc:  # noqa: BLE001
            # Committed already: a cache or broker outage delays this, never undoes it.
            logger.exception(
                "after-commit %s failed for event %s; will retry", _hook_name(hook), event.pk
            )
            _keep_for_retry(event, hook, exc)
    for work in followups:
        try:
            work()
        except Exception:  # noqa: BLE001
            logger.exception("after-commit work %r failed for event %s", work, event.pk)


def _retry_delay(attempts):
    """30 s, 60 s, 2 min… capped at an hour; pages are fresh by the safety TTL anyway."""
    return datetime.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _keep_for_retry(event, hook, exc):
    try:
        FollowUpRetry.objects.get_or_create(
            event=event,
            hook=_hook_name(hook),
            defaults={"next_attempt_at": timezone.now() + _retry_delay(1), "last_error": repr(exc)[:500]},
        )
    except Exception:  # noqa: BLE001
        logger.exception("could not keep %s of event %s for retry", _hook_name(hook), event.pk)


def follow_ups_retry(*, now=None, limit=500):
    """Run again the after-commit hooks that failed (the periodic job calls this).
    Each retry is taken with a conditional UPDATE, so two runs never both do it.
    Returns (done, failed)."""
    now = now or timezone.now()
    hooks = {_hook_name(hook): hook for hook in _hooks}
    done = failed = 0
    for retry in FollowUpRetry.objects.filter(next_attempt_at__lte=now).select_related("event")[:limit]:
        taken = FollowUpRetry.objects.filter(
            pk=retry.pk, next_attempt_at=retry.next_attempt_at
        ).update(next_attempt_at=now + _retry_delay(retry.attempts + 1), attempts=F("attempts") + 1)
        if not taken:
            continue
        hook = hooks.get(retry.hook)
        try:
            if hook is not None:  # a hook no longer registered has nothing left to do
                _run_hook(hook, retry.event)
        except Exception as exc:  # noqa: BLE001
            failed += 1
            FollowUpRetry.objects.filter(pk=retry.pk).update(last_error=repr(exc)[:500])
            logger.warning("after-commit %s still failing for event %s", retry.hook, retry.event_id)
            continue
        retry.delete()
        done += 1
    return done, failed
