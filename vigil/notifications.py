"""Telling editors that something arrived (new dissent, a new error report).

Callers use notify_editors() inside their transaction. It writes an
OutboxMessage in that same transaction (so the notice commits or rolls back
with the dissent or report), and after commit tries to hand it to the worker.
If the broker is down the request does not wait: the periodic drain
(vigil.tasks.outbox_drain) delivers whatever is still unsent.

The outbox knows no app: each app that sends a notice registers, in its
AppConfig.ready(), how to describe it (notice_describer()).
"""

import datetime
import logging
import uuid
from functools import partial

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import OutboxMessage
from .roles import editors

logger = logging.getLogger(__name__)

# event -> describe(object_id) returning (subject, body), or None when the object is gone.
_describers = {}
# event -> recipients(object_id) returning addresses, for notices not meant for every editor.
_recipients = {}


def notice_describer(event, describe, *, recipients=None):
    """Say how the e-mail for an `event` notice reads (called from AppConfig.ready()),
    and, for a notice to one person (an invitation), whom it goes to."""
    _describers[event] = describe
    if recipients is not None:
        _recipients[event] = recipients


def _addressees(message):
    if message.event in _recipients:
        return [address for address in _recipients[message.event](message.object_id) if address]
    return list(editors().exclude(email="").values_list("email", flat=True))


# event -> deliver(object_id): notices delivered otherwise than by mail to
# editors (edge purges, vigil.purgers). Returns False when there was nothing to do.
_channels = {}


def outbox_channel(event, deliver):
    """Say how `event` messages are delivered (called from AppConfig.ready())."""
    _channels[event] = deliver


def outbox_owe(*, kind, object_id):
    """Owe one `kind` delivery about `object_id` (outside a transaction too)."""
    message = OutboxMessage.objects.create(event=kind, object_id=str(object_id))
    transaction.on_commit(partial(outbox_enqueue, message_id=message.pk))
    return message


def notify_editors(*, event, object_id):
    """Record that editors must hear of `event` about `object_id`; call inside
    the transaction that created the object."""
    return _notice(event=event, object_id=object_id)


def notify_person(*, event, object_id):
    """Record a notice to the one person `event`'s recipients name (an
    invitation); call inside the transaction that makes it true."""
    if event not in _recipients:
        raise LookupError(f"{event} names no recipient: use notify_editors")
    return _notice(event=event, object_id=object_id)


def _notice(*, event, object_id):
    message = OutboxMessage.objects.create(event=event, object_id=str(object_id))
    transaction.on_commit(partial(outbox_enqueue, message_id=message.pk))
    return message


def outbox_enqueue(*, message_id):
    """Hand one message to the worker. Never raises: the drain is the safety net."""
    from .celery import enqueue_quietly
    from .tasks import outbox_deliver

    # Redis may be down: never let a reader's dissent wait on the broker.
    enqueue_quietly(outbox_deliver, inline=outbox_deliver_now, message_id=message_id)


def desk_url(name, fallback="/desk/"):
    """The absolute address of a desk page, for a notice's body."""
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = fallback
    return f"{settings.SITE_URL}{path}"


def _describe(message):
    """Subject and body of the e-mail for one outbox message."""
    describe = _describers.get(message.event)
    if describe is None:
        return f"Vigil: {message.event}", f"{message.event}: {message.object_id}\n"
    return describe(message.object_id)


def _unleased(now):
    lease = datetime.timedelta(seconds=settings.VIGIL.get("REMINDER_LEASE_SECONDS", 15 * 60))
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease)


def outbox_deliver_now(*, message_id, now=None):
    """Send one outbox message to every editor, at most once: lease it with a
    conditional UPDATE, send, mark sent. Returns True if this call sent it.
    A send failure gives the lease back and re-raises."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    leased = (
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True)
        .filter(_unleased(now))
        .update(claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    )
    if not leased:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    mine = OutboxMessage.objects.filter(pk=message_id, claim_token=token)
    if message.event in _channels:
        return _deliver_by_channel(message, mine)
    described = _describe(message)
    recipients = _addressees(message)
    if described is None or not recipients:
        # The object is gone or nobody can be told: nothing to send, ever.
        mine.update(sent_at=timezone.now(), last_error="nothing to send")
        return False
    subject, body = described
    # Titles come from people: a stray newline would make every retry fail (BadHeaderError).
    subject = " ".join(subject.split())
    try:
        send_mass_mail(
            [
                (f"[{settings.VIGIL['PUBLICATION_NAME']}] {subject}", body, None, [to])
                for to in recipients
            ]
        )
    except Exception as exc:
        mine.update(claimed_at=None, claim_token="", last_error=repr(exc)[:500])
        raise
    mine.update(sent_at=timezone.now(), last_error="")
    return True


def _deliver_by_channel(message, mine):
    try:
        delivered = _channels[message.event](message.object_id)
    except Exception as exc:
        mine.update(claimed_at=None, claim_token="", last_error=repr(exc)[:500])
        raise
    mine.update(sent_at=timezone.now(), last_error="" if delivered is not False else "nothing to do")
    return delivered is not False


def outbox_pending(*, now=None):
    now = now or timezone.now()
    return OutboxMessage.objects.filter(sent_at__isnull=True).filter(_unleased(now))


def outbox_drain(*, now=None, limit=500):
    """Deliver what is still unsent (the broker was down, or a send failed).
    Returns (sent, failed)."""
    sent = failed = 0
    for message_id in list(outbox_pending(now=now).values_list("pk", flat=True)[:limit]):
        try:
            sent += bool(outbox_deliver_now(message_id=message_id))
        except Exception:
            failed += 1
            logger.warning("outbox message %s failed; will retry", message_id, exc_info=True)
    return sent, failed
