"""The event record: one append-only row per action (vigil.actions), naming who
did what, when, to which public objects, with a short before/after summary.

The audit trail reads it; the after-commit hooks (cache freshness, later
followers' notices and per-page purges) are handed the event they follow.

And the outbox (vigil.notifications): one row per recipient and message,
written in the transaction of what it announces.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

# --- Append-only records ------------------------------------------------------
# Events, reviews and correction-log entries are written once. The one home of
# that rule: a queryset whose bulk update and delete raise, and a model base
# whose save of an existing row and delete raise, except for the fields a model
# names as amendable (a correction entry's text, through its amendment action).


def _refuse(model):
    raise ValidationError(f"{str(model._meta.verbose_name_plural).capitalize()} are append-only.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _refuse(self.model)

    def delete(self):
        _refuse(self.model)


class AppendOnly(models.Model):
    amendable_fields = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if not fields or not set(fields) <= self.amendable_fields:
                _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self))


class EventQuerySet(AppendOnlyQuerySet):
    def newest_first(self):
        return self.order_by("-at", "-pk")

    def touching(self, kind, key):
        """Events whose action touched the object `kind`:`key`, e.g. ("claim", "AM-060")."""
        return self.filter(subjects__kind=kind, subjects__key=key)


class Event(AppendOnly):
    at = models.DateTimeField(default=timezone.now, editable=False)
    action = models.CharField(max_length=64, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Kept as written: the trail still says who it was after a rename or deletion.
    actor_name = models.CharField(max_length=150, editable=False)
    summary = models.TextField(editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="event_newest_idx"),
            models.Index(fields=["action", "-at"], name="event_action_idx"),
            models.Index(fields=["actor", "-at"], name="event_actor_idx"),
        ]

    def __str__(self):
        return f"{self.action} by {self.actor_name} at {self.at:%Y-%m-%d %H:%M}"

    def keys(self, kind):
        return [subject.key for subject in self.subjects.all() if subject.kind == kind]


class EventSubject(AppendOnly):
    """One public object an event touched: ("article", slug), ("claim", "AM-060"),
    ("pillar", slug), ("section", slug), ("page", slug), ("person", username),
    and ("site", "footer") when what every page shows changed (vigil.cachetags)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=200)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["kind", "key", "event"], name="event_subject_idx")]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "key"], name="event_subject_once")
        ]

    def __str__(self):
        return f"{self.kind}:{self.key}"


class OutboxMessageQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)

    def unleased(self, *, now, lease_seconds):
        """Unsent rows no live sender holds: never leased, or leased longer ago
        than a lease lasts (the sender died)."""
        lease = datetime.timedelta(seconds=lease_seconds)
        return self.unsent().filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease))

    def due(self, *, now, lease_seconds):
        """Unleased rows whose time has come."""
        return self.unleased(now=now, lease_seconds=lease_seconds).filter(due_at__lte=now)


class OutboxMessage(models.Model):
    """One delivery owed to one recipient: an e-mail to one address, a POST to
    one webhook endpoint, a purge of one edge cache. Written in the transaction
    of what it announces (or by a fan-out that is safe to repeat), so it is
    never lost; `idempotency_key` is unique, so writing it twice is a no-op;
    each row has its own lease, so a retry, a second worker or a killed worker
    never sends one recipient's message twice (vigil.notifications)."""

    # How it is delivered: a channel registered with vigil.notifications.outbox_channel.
    channel = models.CharField(max_length=20, default="email")
    # What it says: a describer registered with notice_describer ("dissent_received").
    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    # An e-mail address, a webhook endpoint's id…; what the channel delivers to.
    recipient = models.CharField(max_length=254, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not before: a digest window, or the backoff after a failed attempt.
    due_at = models.DateTimeField(default=timezone.now)
    # Stamped when the lease is taken (not when the run began).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at", "id"], condition=Q(sent_at__isnull=True), name="outbox_due_idx"
            ),
            models.Index(fields=["recipient", "channel"], name="outbox_recipient_idx"),
        ]

    def __str__(self):
        state = "sent" if self.sent_at else "pending"
        return f"{self.kind} {self.object_id} to {self.recipient or '-'} ({state})"


class FollowUpRetry(models.Model):
    """After-commit work of an action that failed (Redis down when the cache was
    to be told): kept here and retried by the periodic job (vigil.actions), so a
    committed change is never left half-announced."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    # The hook's dotted name, as registered with vigil.actions.after_commit.
    hook = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "hook"], name="follow_up_retry_once")
        ]

    def __str__(self):
        return f"{self.hook} for event {self.event_id} (attempt {self.attempts})"
