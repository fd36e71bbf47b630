"""From a committed event to outbox rows: one per follower, per dissenter
answered and per webhook endpoint.

The pipeline hands every committed event to event_committed() (registered in
FollowersConfig.ready()). It only queues the fan-out, so the editor's request
never waits on followers however many there are. event_fan_out() is safe to
repeat: each row's idempotency key is unique, and EventFanOut marks the event
done. followers_sweep() (every minute) fans out any event whose task was lost
(the broker was down, the worker died), so no follower is missed.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from dissent.models import Dissent
from reviews.models import Review
from vigil.celery import enqueue_quietly
from vigil.models import Event
from vigil.notifications import outbox_write

from .changes import ANNOUNCED_ACTIONS, REVIEW_KEPT, change_for
from .models import EventFanOut, Subscription, WebhookEndpoint
from .notices import DISSENT_ANSWER, FOLLOWER_CHANGE
from .webhooks import CHANNEL as WEBHOOK, WEBHOOK_EVENT

logger = logging.getLogger(__name__)

CHUNK = 2000


def event_committed(event):
    if event.action not in ANNOUNCED_ACTIONS:
        return
    from .tasks import fan_out

    enqueue_quietly(fan_out, inline=event_fan_out, event_id=event.pk)


def _followers(change):
    """Confirmed addresses following anything in the change's scope, each once,
    read in chunks so memory stays flat however many there are."""
    scope = Q()
    for kind, key in change.scope:
        scope |= Q(kind=kind, key=key)
    follows = Subscription.objects.confirmed().filter(scope)
    if change.kind == REVIEW_KEPT:
        follows = follows.filter(every_review=True)
    return follows.order_by().values_list("email", flat=True).distinct().iterator(chunk_size=CHUNK)


def _write_in_chunks(addresses, **row):
    batch, count = [], 0
    for address in addresses:
        batch.append(address)
        if len(batch) >= CHUNK:
            outbox_write(recipients=batch, **row)
            count += len(batch)
            batch = []
    if batch:
        outbox_write(recipients=batch, **row)
        count += len(batch)
    return count


def _dissenters_answered(event):
    """Dissent weighed in the event's review, from readers who left an address."""
    codes = event.keys("claim")
    review = (
        Review.objects.filter(claim__code__in=codes, created_at__lte=event.at)
        .order_by("-created_at", "-pk")
        .first()
    )
    if review is None:
        return 0
    answered = 0
    for dissent_id, email in (
        Dissent.objects.filter(weighed_in_review=review).exclude(email="").values_list("pk", "email")
    ):
        outbox_write(kind=DISSENT_ANSWER, object_id=dissent_id, recipients=[email])
        answered += 1
    return answered


def event_fan_out(*, event_id):
    """Write the outbox rows an event owes. Returns how many recipients."""
    if EventFanOut.objects.filter(event_id=event_id).exists():
        return 0
    event = Event.objects.prefetch_related("subjects").filter(pk=event_id).first()
    if event is None:
        return 0
    count = 0
    change = change_for(event)
    if change is not None:
        window = datetime.timedelta(seconds=settings.VIGIL["FOLLOW_DIGEST_SECONDS"])
        count += _write_in_chunks(
            _followers(change),
            kind=FOLLOWER_CHANGE,
            object_id=event.pk,
            due_at=event.at + window,
            send=False,
        )
        endpoints = [e.pk for e in WebhookEndpoint.objects.filter(is_active=True) if e.wants(event.action)]
        if endpoints:
            outbox_write(channel=WEBHOOK, kind=WEBHOOK_EVENT, object_id=event.pk, recipients=endpoints)
            count += len(endpoints)
    if event.action == "review.record":
        count += _dissenters_answered(event)
    EventFanOut.objects.get_or_create(event_id=event.pk, defaults={"recipients": count})
    return count


def followers_sweep(*, now=None, horizon_hours=24):
    """Fan out the recent announced events nobody fanned out (their task was
    lost), and forget confirmations never confirmed. Returns events fanned out."""
    now = now or timezone.now()
    done = EventFanOut.objects.values("event_id")
    missed = (
        Event.objects.filter(
            at__gte=now - datetime.timedelta(hours=horizon_hours),
            # A moment's grace: the hook's own task is usually just running.
            at__lte=now - datetime.timedelta(seconds=30),
            action__in=ANNOUNCED_ACTIONS,
        )
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    fanned = 0
    for event_id in list(missed[:500]):
        event_fan_out(event_id=event_id)
        fanned += 1
    expired = now - datetime.timedelta(seconds=settings.VIGIL["FOLLOW_CONFIRM_SECONDS"])
    Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=expired).delete()
    return fanned
