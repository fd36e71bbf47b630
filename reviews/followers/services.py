"""Following and leaving, and the admins' webhook endpoints.

Following is not an action: a subscription is a reader's private preference,
not the editorial record, and writing it to the append-only event record
would keep an address we promise to erase. The endpoints are staff changes,
so they are actions (on the record, admins only).
"""

import json
import secrets

from django.db import transaction
from django.utils import timezone

from corrections.models import ErrorReport
from dissent.models import Dissent
from vigil.actions import ADMIN, action
from vigil.models import OutboxMessage
from vigil.notifications import outbox_write

from .changes import ANNOUNCED_ACTIONS
from .models import Subscription, WebhookEndpoint, normalise_email
from .notices import DISSENT_ANSWER, FOLLOW_CONFIRM, FOLLOWER_CHANGE
from .webhooks import WebhookRefused, check_url

FOLLOWER_KINDS = (FOLLOW_CONFIRM, FOLLOWER_CHANGE, DISSENT_ANSWER)


class FollowRefused(Exception):
    pass


def follow_request(*, email, kind, key, every_review=False):
    """Ask to follow: a pending subscription and a confirmation e-mail with a
    signed, expiring link (at most one a day). An address that already
    follows gets nothing new; the caller answers the same either way."""
    email = normalise_email(email)
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            email=email, kind=kind, key=key, defaults={"every_review": every_review}
        )
        if subscription.confirmed_at is not None:
            return subscription
        if not created:
            # Asked again: the new choice counts, and the link's clock starts again.
            subscription.every_review = every_review
            subscription.created_at = timezone.now()
            subscription.save(update_fields=["every_review", "created_at"])
        outbox_write(
            kind=FOLLOW_CONFIRM,
            object_id=subscription.pk,
            recipients=[email],
            occasion=timezone.localdate().isoformat(),
        )
    return subscription


def follow_confirm(*, subscription_id, email):
    """Confirm from the signed link. Returns the subscription, or None when it
    expired and was forgotten (or was stopped since)."""
    subscription = Subscription.objects.filter(pk=subscription_id, email=email).first()
    if subscription is not None and subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def follow_stop(*, email, subscription_id=None):
    """Stop one subscription, or all of them. An address left with none is
    erased: its subscriptions and the follower mail still owed to it."""
    subscriptions = Subscription.objects.of(email)
    if subscription_id is not None:
        subscriptions = subscriptions.filter(pk=subscription_id)
    with transaction.atomic():
        stopped = subscriptions.delete()[0]
        if not Subscription.objects.of(email).exists():
            OutboxMessage.objects.filter(
                channel="email", recipient=normalise_email(email), kind__in=FOLLOWER_KINDS
            ).delete()
    return stopped


def address_export(email):
    """Everything held about one address, as JSON-ready data."""
    email = normalise_email(email)
    return {
        "address": email,
        "subscriptions": list(
            Subscription.objects.of(email).values("kind", "key", "every_review", "created_at", "confirmed_at")
        ),
        "messages": list(
            OutboxMessage.objects.filter(recipient__iexact=email).values("kind", "object_id", "created_at", "sent_at")
        ),
        "dissent": list(
            Dissent.objects.filter(email__iexact=email).values("pk", "claim__code", "name", "received_at", "status")
        ),
        "error_reports": list(
            ErrorReport.objects.filter(contact_email__iexact=email).values("pk", "article__slug", "contact_name", "received_at")
        ),
    }


def address_erase(email):
    """Erase everything held about one address: subscriptions and messages are
    deleted; dissent and error reports keep their text, without the address."""
    email = normalise_email(email)
    with transaction.atomic():
        counts = {
            "subscriptions": Subscription.objects.of(email).delete()[0],
            "messages": OutboxMessage.objects.filter(recipient__iexact=email).delete()[0],
            "dissent": Dissent.objects.filter(email__iexact=email).update(email=""),
            "error_reports": ErrorReport.objects.filter(contact_email__iexact=email).update(contact_email=""),
        }
    return counts


def export_json(email):
    return json.dumps(address_export(email), default=str, indent=2)


@action("webhook.register", role=ADMIN, actor="admin")
def webhook_register(*, url, events, admin, record):
    """Register an endpoint for some announced events (none chosen: all of them).
    Its secret is made here; admins read it in the desk."""
    unknown = set(events) - ANNOUNCED_ACTIONS
    if unknown:
        raise WebhookRefused(f"Unknown events: {', '.join(sorted(unknown))}.")
    check_url(url)
    endpoint = WebhookEndpoint.objects.create(
        url=url, events=sorted(events), secret=secrets.token_urlsafe(32), created_by=admin
    )
    record.say(f"Webhook {endpoint.pk} registered for {', '.join(endpoint.events) or 'every event'}")
    return endpoint


@action("webhook.set_active", role=ADMIN, actor="admin")
def webhook_set_active(*, endpoint, active, admin, record):
    """Enable an endpoint again (its failure count starts from zero), or disable it."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=active, consecutive_failures=0, disabled_at=None if active else timezone.now()
    )
    record.say(f"Webhook {endpoint.pk} {'enabled' if active else 'disabled'}")
