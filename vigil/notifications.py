"""The outbox: every notice, acknowledgement, follower's e-mail, webhook POST
(and, later, edge-cache purge) is one OutboxMessage row per recipient.

Writing: outbox_write() inside the transaction of what the rows announce (or
from a fan-out safe to repeat: the idempotency key is unique, so a second
write of the same row is a no-op). After commit the rows are handed to the
worker; if the broker is down the request does not wait, and the periodic
drain (vigil.tasks.outbox_drain) delivers whatever is due.

Delivering: each row is leased with a conditional UPDATE stamped with the
time the lease is taken, delivered by its channel, then marked sent. A failed
delivery gives the lease back and is due again after a backoff; a sender that
dies leaves a lease that expires after OUTBOX_LEASE_SECONDS, and the next
drain (every minute) takes the row. Rows are independent: one recipient's
failure never re-sends to the others.

Exactly once, as far as the far end allows: a row is marked sent only after
its channel returned, so nothing is lost; a process that dies after the mail
server accepted a message but before the row was marked sent leaves it to be
sent again (at least once). Every e-mail carries a Message-ID derived from its
row's idempotency key, so a repeat is the same message to a mail client, and
every webhook POST carries the key, so a receiver can drop a repeat.

The outbox knows no app. Apps register, in AppConfig.ready():
- notice_describer(kind, describe): how an e-mail of that kind reads (sent
  to every editor with notify_editors, every admin with notify_admins, or one
  person with notify_person);
  `digest=True` sends all of one recipient's due rows of such kinds as one;
- outbox_channel(name, deliver): another way to deliver (webhooks, purges);
  `batch=N` delivers up to N of its due rows in one call (an edge purge of
  many tags is one request).
"""

import datetime
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import OutboxMessage
from .roles import admins, editors

logger = logging.getLogger(__name__)


@dataclass
class Notice:
    """What a describer says an e-mail reads: plain text, optional HTML, and
    headers of its own (List-Unsubscribe for followers' mail)."""

    subject: str
    body: str
    html: str = ""
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Channel:
    """A way to deliver rows. `deliver(rows)` raises when the far end did not
    take them; `failed(rows, exc)` (optional) hears of each failure."""

    deliver: object
    failed: object = None
    # Rows of this channel that one delivery may take together (0: one at a time).
    batch: int = 0


# kind -> describe(rows) returning a Notice, or None when there is nothing to say any more.
_describers = {}
# kinds whose due rows for one recipient go out together, as one digest.
_digest_kinds = set()
_channels = {}


# kind -> recipients(object_id): for notices to one person (an invitation).
_recipients = {}


def notice_describer(kind, describe, *, digest=False, recipients=None):
    """Say how the e-mail for `kind` reads (called from AppConfig.ready()).
    `describe(rows)` gets the rows of one message, oldest first: one row, or
    for digest kinds every due row of one recipient. `recipients(object_id)`
    names the addresses of a notice meant for one person, not every editor."""
    _describers[kind] = describe
    if digest:
        _digest_kinds.add(kind)
    if recipients is not None:
        _recipients[kind] = recipients


def outbox_channel(name, deliver, *, failed=None, batch=0):
    """Add a way to deliver outbox rows (called from AppConfig.ready())."""
    _channels[name] = Channel(deliver=deliver, failed=failed, batch=batch)


def lease_seconds():
    # Longer than any one delivery can take (SMTP and webhook timeouts are 10 s).
    return settings.VIGIL["OUTBOX_LEASE_SECONDS"]


def retry_after(attempts):
    """Backoff after a failed attempt: base, 2×base, 4×base… capped at 30 minutes."""
    base = settings.VIGIL["SEND_RETRY_BASE_SECONDS"]
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 30 * 60))


# --- Writing -----------------------------------------------------------------


def outbox_key(kind, object_id, recipient, occasion=""):
    return ":".join(str(part) for part in (kind, object_id, occasion, recipient) if part != "")[:200]


def outbox_write(
    *, kind, object_id, recipients, channel="email", due_at=None, send=True, occasion=""
):
    """Owe one message of `kind` about `object_id` to each recipient. Call
    inside the transaction that makes it true. Rows already written (same
    kind, object, occasion and recipient) are left as they are: `occasion`
    (e.g. a date) allows the same message again on another one. With `send`,
    the rows are handed to the worker after commit; otherwise the drain takes
    them when they are due. Returns the idempotency keys."""
    now = timezone.now()
    rows = [
        OutboxMessage(
            channel=channel,
            kind=kind,
            object_id=str(object_id),
            recipient=str(recipient),
            idempotency_key=outbox_key(kind, object_id, recipient, occasion),
            created_at=now,
            due_at=due_at or now,
        )
        for recipient in dict.fromkeys(recipients)
        if recipient
    ]
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.idempotency_key for row in rows]
    if send and keys:
        # Due later (a coalesced purge): the worker is asked to send it then.
        countdown = max((due_at - now).total_seconds(), 0) if due_at else 0
        transaction.on_commit(partial(outbox_enqueue, keys=keys, countdown=countdown))
    return keys


def notify_editors(*, event, object_id):
    """Tell every editor of `event` (a notice kind) about `object_id`: one row
    per editor. Call inside the transaction that created the object."""
    recipients = editors().exclude(email="").order_by("pk").values_list("email", flat=True)
    return outbox_write(kind=event, object_id=object_id, recipients=list(recipients))


def notify_admins(*, event, object_id, occasion=""):
    """Tell every admin of `event` (a notice kind) about `object_id`: one row
    per admin with an address, written inside the transaction that makes it
    true. `occasion` tells one time apart from another (a piece sent back and
    submitted again); the same occasion is never owed twice."""
    recipients = admins().exclude(email="").order_by("pk").values_list("email", flat=True)
    return outbox_write(kind=event, object_id=object_id, recipients=list(recipients), occasion=occasion)


def notify_person(*, event, object_id):
    """Tell the one person `event`'s recipients name (an invitation); call
    inside the transaction that makes it true."""
    if event not in _recipients:
        raise LookupError(f"{event} names no recipient: use notify_editors")
    return outbox_write(kind=event, object_id=object_id, recipients=_recipients[event](object_id))


def outbox_owe(*, kind, object_id, recipients=None, due_at=None, occasion=""):
    """Owe one delivery of `kind` (a channel of its own, such as an edge purge)
    about `object_id` to each recipient (the kind itself by default), outside
    a transaction too."""
    return outbox_write(
        kind=kind, object_id=object_id, recipients=recipients or [kind], channel=kind,
        due_at=due_at, occasion=occasion,
    )


def outbox_enqueue(*, keys, countdown=0):
    """Hand rows to the worker, to send `countdown` seconds from now. Never
    raises: the drain is the safety net."""
    from .celery import enqueue_quietly
    from .tasks import outbox_send

    # Redis may be down: never let a reader's dissent wait on the broker.
    enqueue_quietly(outbox_send, inline=outbox_send_keys, countdown=countdown or None, keys=keys)


def desk_url(name, fallback="/desk/", **kwargs):
    """The absolute address of a desk page, for a notice's body."""
    try:
        path = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        path = fallback
    return f"{settings.SITE_URL}{path}"


# --- Delivering --------------------------------------------------------------


def message_id(key):
    """A stable Message-ID for the message of an idempotency key: a repeat
    after a crash is the same message to the reader's mail client."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{urlsplit(settings.SITE_URL).hostname or 'vigil.invalid'}>"


def _deliver_email(rows):
    first = rows[0]
    describe = _describers.get(first.kind)
    notice = (
        describe(rows)
        if describe
        else Notice(f"Vigil: {first.kind}", f"{first.kind}: {first.object_id}\n")
    )
    if notice is None:
        return False
    # Titles come from people: a stray newline would make every retry fail (BadHeaderError).
    subject = " ".join(notice.subject.split())
    message = EmailMultiAlternatives(
        subject=f"[{settings.VIGIL['PUBLICATION_NAME']}] {subject}",
        body=notice.body,
        to=[first.recipient],
        headers={"Message-ID": message_id(first.idempotency_key), **notice.headers},
    )
    if notice.html:
        message.attach_alternative(notice.html, "text/html")
    message.send()
    return True


outbox_channel("email", _deliver_email)


def _lease(message_id, now):
    """Take one row's lease (and, for digest kinds, the recipient's other due
    rows of such kinds). Returns the leased rows, oldest first, or []."""
    token = uuid.uuid4().hex
    due = OutboxMessage.objects.due(now=now, lease_seconds=lease_seconds())
    if not due.filter(pk=message_id).update(
        claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    ):
        return []
    first = OutboxMessage.objects.get(pk=message_id)
    channel = _channels.get(first.channel)
    if channel is not None and channel.batch > 1:
        # Whatever else of this channel is due goes in the same delivery; the
        # conditional UPDATE leaves out a row another sender took meanwhile.
        others = list(
            due.filter(channel=first.channel).exclude(pk=first.pk)
            .order_by("due_at", "pk").values_list("pk", flat=True)[: channel.batch - 1]
        )
        if others:
            due.filter(pk__in=others).update(
                claimed_at=now, claim_token=token, attempts=F("attempts") + 1
            )
    elif first.kind in _digest_kinds:
        # Changes made since, still inside their own window, join this digest.
        OutboxMessage.objects.unleased(now=now, lease_seconds=lease_seconds()).filter(
            channel=first.channel, recipient=first.recipient, kind__in=_digest_kinds
        ).update(claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    return list(OutboxMessage.objects.filter(claim_token=token).order_by("pk"))


def outbox_deliver_now(*, message_id):
    """Deliver one row (with its digest companions) at most once per lease.
    Returns True if this call delivered it. A failure gives the lease back,
    makes the rows due again after a backoff, and re-raises."""
    rows = _lease(message_id, timezone.now())
    if not rows:
        return False
    token = rows[0].claim_token
    mine = OutboxMessage.objects.filter(claim_token=token, sent_at__isnull=True)
    channel = _channels[rows[0].channel]
    try:
        delivered = channel.deliver(rows)
    except SoftTimeLimitExceeded:
        # Cut off mid-delivery: whether the far end took it is unknown, so the
        # lease stays and the row is delivered again only once it expires.
        raise
    except Exception as exc:
        mine.update(
            claimed_at=None,
            claim_token="",
            last_error=repr(exc)[:500],
            due_at=timezone.now() + retry_after(rows[0].attempts),
        )
        if channel.failed:
            channel.failed(rows, exc)
        raise
    # False: the object is gone or nothing is left to say; never send it later either.
    mine.update(sent_at=timezone.now(), last_error="" if delivered is not False else "nothing to send")
    return delivered is not False


def outbox_send_ids(message_ids, *, deadline=None):
    """Deliver rows one by one until done or past `deadline` (time.monotonic());
    a failed row is logged and left for later. Returns (sent, failed)."""
    sent = failed = 0
    for message_id in message_ids:
        if deadline is not None and time.monotonic() >= deadline:
            break
        try:
            sent += bool(outbox_deliver_now(message_id=message_id))
        except SoftTimeLimitExceeded:
            logger.warning("outbox run reached its time limit; the rest is left for the next run")
            break
        except Exception:
            failed += 1
            logger.warning("outbox message %s failed; will retry", message_id, exc_info=True)
    return sent, failed


def outbox_send_keys(*, keys):
    ids = OutboxMessage.objects.filter(idempotency_key__in=keys).order_by("pk")
    return outbox_send_ids(list(ids.values_list("pk", flat=True)))


def outbox_pending(*, now=None):
    return OutboxMessage.objects.due(now=now or timezone.now(), lease_seconds=lease_seconds())


def outbox_drain(*, limit=500, budget_seconds=None):
    """Deliver what is due (the broker was down, a send failed, a digest's
    window closed, a sender died), oldest first, at most `limit` rows and
    starting none after `budget_seconds`: the drain stops cleanly before its
    task's time limit and leaves the rest for the next run. Returns (sent, failed)."""
    deadline = time.monotonic() + budget_seconds if budget_seconds else None
    ids = list(outbox_pending().order_by("due_at", "pk").values_list("pk", flat=True)[:limit])
    return outbox_send_ids(ids, deadline=deadline)
