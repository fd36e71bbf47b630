"""Who asked to be told: readers by confirmed e-mail (Subscription), machines
by signed webhook (WebhookEndpoint), and which events have been fanned out to
them (EventFanOut). The messages themselves are vigil.OutboxMessage rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def of(self, email):
        return self.filter(email=normalise_email(email))


def normalise_email(email):
    return (email or "").strip().lower()


class Subscription(models.Model):
    """One address following one claim, article or pillar. Nothing is sent to
    it but the confirmation until it is confirmed; unconfirmed ones expire.
    Followed objects are named as the event record names them (kind, key), so
    an event's subjects find their followers in one indexed join."""

    class Kind(models.TextChoices):
        CLAIM = "claim", "claim"
        ARTICLE = "article", "article"
        PILLAR = "pillar", "pillar"

    email = models.EmailField(max_length=254)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A claim code, an article's or a pillar's slug.
    key = models.CharField(max_length=200)
    # Also reviews that kept the verdict, not only changes.
    every_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "kind", "key"], name="one_follow_per_address")
        ]
        indexes = [
            models.Index(
                fields=["kind", "key", "email"],
                condition=Q(confirmed_at__isnull=False),
                name="follow_confirmed_idx",
            ),
            models.Index(
                fields=["created_at"], condition=Q(confirmed_at__isnull=True), name="follow_unconfirmed_idx"
            ),
        ]

    def __str__(self):
        return f"{self.email} follows {self.kind} {self.key}"


class EventFanOut(models.Model):
    """The event's notices and webhook deliveries are in the outbox: a repeat
    fan-out (the hook and the sweep, a retried task) finds this and stops."""

    event = models.OneToOneField(
        "vigil.Event", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)


class WebhookEndpoint(models.Model):
    """A machine that asked for events: each is POSTed as signed JSON."""

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    # Action names ("review.record"); empty means every event that is announced.
    events = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.url

    def wants(self, action):
        return not self.events or action in self.events


class WebhookDelivery(models.Model):
    """One attempt to POST one event to one endpoint: the delivery log."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    idempotency_key = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-at"], name="webhook_delivery_idx")]
        verbose_name_plural = "webhook deliveries"

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300
