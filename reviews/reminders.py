"""
The reminder job: e-mail each editor one digest of the claims entering "due
soon" and the claims that became overdue, announcing each due date once per
stage however often the job runs, retries or runs twice at once.

Three steps, each safe to repeat:

1. ledger   scan claims by the indexed due date, in chunks, and insert one
            Reminder per claim, due date and stage (the unique constraint
            makes a second insert a no-op);
2. fan out  owe each unsent reminder to its editor (unassigned claims, and
            claims of an editor who paused reminders, to every editor);
3. send     per editor: lease the owed rows with a conditional UPDATE, send
            one digest, then mark them sent. A failed send gives the lease
            back; a sender that dies leaves a lease that expires, and the
            recovery sweep (every 5 minutes) sends those rows. Nothing is
            marked sent before the mail server has taken the message; a
            reminder's sent_at is derived from its deliveries afterwards.

Celery beat runs it hourly (reviews.tasks.reminders_run); the management
command send_reminders runs the same job for those who prefer cron.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from claims.models import Claim
from claims.scheduling import Countdown, DueStatus
from vigil import roles
from vigil.notifications import message_id

from .models import EditorPreference, Reminder, ReminderDelivery, SecondReview, TimeAway

logger = logging.getLogger(__name__)

SCAN_CHUNK_SIZE = 2000


def lease_seconds():
    # Longer than the digest task's hard time limit (180 s), so a live sender
    # is never overtaken; reminders_recover() picks up a dead one's rows.
    return settings.VIGIL["REMINDER_LEASE_SECONDS"]


def review_url(claim):
    return f"{settings.SITE_URL}/desk/claims/{claim.code}/review/"


def settle_url(second_review):
    return f"{settings.SITE_URL}/desk/second-reviews/{second_review.pk}/"


def _to_settle(claim_ref):
    """Disagreements of the claim at `claim_ref` waiting on an admin."""
    return SecondReview.objects.to_settle().filter(first_review__claim=claim_ref)


def _still_true(prefix=""):
    """A reminder still worth sending: its claim is live and still due on
    that date, and a disagreement is not settled yet."""
    return Q(
        **{
            f"{prefix}due_on": F(f"{prefix}claim__next_review_due"),
            f"{prefix}claim__article__status": "published",
        }
    ) & (~Q(**{f"{prefix}stage": Reminder.Stage.DISAGREED}) | Exists(_to_settle(OuterRef(f"{prefix}claim"))))


# --- 1. ledger ---------------------------------------------------------------


def ledger_scan(claims, *, stage):
    """(claim id, due date) of the claims in `claims` not yet in the ledger for
    `stage`: read through the due-date index, unordered, nothing else loaded."""
    already = Reminder.objects.filter(
        claim=OuterRef("pk"), due_on=OuterRef("next_review_due"), stage=stage
    )
    return claims.filter(~Exists(already)).order_by().values_list("pk", "next_review_due")


def _ledger_stage(claims, *, stage, chunk_size):
    """Insert a Reminder for each claim in `claims` that has none for its due
    date and stage. Reads in chunks so memory does not grow with the table."""
    rows = ledger_scan(claims, stage=stage).iterator(chunk_size=chunk_size)
    created = 0
    batch = []
    for claim_id, due_on in rows:
        batch.append(Reminder(claim_id=claim_id, due_on=due_on, stage=stage))
        if len(batch) >= chunk_size:
            created += len(Reminder.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        created += len(Reminder.objects.bulk_create(batch, ignore_conflicts=True))
    return created


def reminders_ledger(*, today=None, chunk_size=SCAN_CHUNK_SIZE):
    """Step 1: record the claims that entered "due soon", became overdue,
    stayed overdue past the escalation threshold, or have a disagreement
    between blind reviews to settle.
    Returns how many ledger rows were scanned in (an upper bound on new rows)."""
    today = today or timezone.localdate()
    claims = Claim.objects.active()
    overdue = _ledger_stage(
        claims.overdue(on=today), stage=Reminder.Stage.OVERDUE, chunk_size=chunk_size
    )
    due_soon = _ledger_stage(
        claims.with_due_status(DueStatus.DUE_SOON, on=today),
        stage=Reminder.Stage.DUE_SOON,
        chunk_size=chunk_size,
    )
    escalated = _ledger_stage(
        claims.escalated(on=today), stage=Reminder.Stage.ESCALATED, chunk_size=chunk_size
    )
    disagreed = _ledger_stage(
        claims.filter(Exists(_to_settle(OuterRef("pk")))),
        stage=Reminder.Stage.DISAGREED,
        chunk_size=chunk_size,
    )
    return {"overdue": overdue, "due_soon": due_soon, "escalated": escalated, "disagreed": disagreed}


# --- 2. fan out --------------------------------------------------------------


def editors():
    """The editors (vigil.roles) a digest can reach: those with an e-mail address."""
    return roles.editors().exclude(email="")


def _paused_ids(today):
    """Editors who get no reminders today: paused, or away."""
    paused = EditorPreference.objects.filter(reminders_paused=True).values_list(
        "user_id", flat=True
    )
    away = TimeAway.objects.on(today).values_list("user_id", flat=True)
    return set(paused) | set(away)


def reminders_pending():
    """Unsent reminders still true: the claim is live and still due on that
    date, and a disagreement still waits."""
    return Reminder.objects.filter(_still_true(), sent_at__isnull=True)


def reminders_fan_out(*, today=None, chunk_size=SCAN_CHUNK_SIZE):
    """Step 2: owe each pending reminder to its editor. A claim whose editor
    left, paused reminders or is away goes to every editor, so none goes
    unannounced; an escalated claim, and a disagreement to settle, go to
    every admin."""
    editor_ids = set(editors().values_list("pk", flat=True))
    paused = _paused_ids(today or timezone.localdate())
    active_ids = editor_ids - paused
    admin_ids = sorted(set(roles.admins().exclude(email="").values_list("pk", flat=True)) - paused)
    rows = (
        reminders_pending()
        .values_list("pk", "claim__assigned_editor_id", "stage")
        .iterator(chunk_size=chunk_size)
    )
    batch = []
    for reminder_id, assigned_id, stage in rows:
        if stage in (Reminder.Stage.ESCALATED, Reminder.Stage.DISAGREED):
            recipients = admin_ids
        elif assigned_id in active_ids:
            recipients = [assigned_id]
        else:
            recipients = sorted(active_ids)
        batch.extend(ReminderDelivery(reminder_id=reminder_id, recipient_id=r) for r in recipients)
        if len(batch) >= chunk_size:
            ReminderDelivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        ReminderDelivery.objects.bulk_create(batch, ignore_conflicts=True)


# --- 3. send -----------------------------------------------------------------


def _owed(recipient_id):
    return ReminderDelivery.objects.filter(
        _still_true("reminder__"), recipient_id=recipient_id, sent_at__isnull=True
    )


def _unleased(now):
    return Q(claimed_at__isnull=True) | Q(
        claimed_at__lt=now - datetime.timedelta(seconds=lease_seconds())
    )


def digest_recipients(*, now=None):
    """Editors owed a digest now: not paused, not away, and this is their
    digest hour (in the publication's time zone) or they chose none."""
    now = now or timezone.now()
    hour = timezone.localtime(now).hour
    away = TimeAway.objects.on(timezone.localdate(now)).filter(user=OuterRef("pk"))
    owed = ReminderDelivery.objects.filter(
        _still_true("reminder__"), recipient=OuterRef("pk"), sent_at__isnull=True
    ).filter(_unleased(now))
    return list(
        editors()
        .filter(Exists(owed))
        .exclude(editor_preference__reminders_paused=True)
        .exclude(Exists(away))
        .filter(
            Q(editor_preference__isnull=True)
            | Q(editor_preference__digest_hour__isnull=True)
            | Q(editor_preference__digest_hour=hour)
        )
        .values_list("pk", flat=True)
    )


def digest_message(*, recipient, deliveries, today):
    """The digest: for admins, the disagreements between blind reviews to
    settle and the escalated claims (with who owns each); then overdue, then
    due soon, each linking to its review form (or its settling page)."""
    by_claim = {}
    escalated_ids = set()
    disagreed_ids = set()
    for delivery in deliveries:
        claim = delivery.reminder.claim
        if delivery.reminder.stage == Reminder.Stage.DISAGREED:
            disagreed_ids.add(claim.pk)
            continue
        by_claim[claim.pk] = claim
        if delivery.reminder.stage == Reminder.Stage.ESCALATED:
            escalated_ids.add(claim.pk)
    disagreements = [
        {
            "second": second,
            "claim": second.first_review.claim,
            "first_editor": roles.display_name(second.first_review.editor),
            "second_editor": roles.display_name(second.reviewer),
            "url": settle_url(second),
        }
        for second in (
            SecondReview.objects.to_settle()
            .filter(first_review__claim__in=disagreed_ids)
            .select_related("first_review__claim", "first_review__editor", "reviewer")
            .order_by("completed_at", "pk")
            if disagreed_ids
            else []
        )
    ]
    claims = sorted(by_claim.values(), key=lambda c: (c.next_review_due, c.code))
    items = [
        {
            "claim": claim,
            "countdown": Countdown.between(today, claim.next_review_due),
            "url": review_url(claim),
            "assigned": claim.assigned_editor_id == recipient.pk,
            "owner": roles.display_name(claim.assigned_editor) if claim.assigned_editor else None,
        }
        for claim in claims
    ]
    escalated = [item for item in items if item["claim"].pk in escalated_ids]
    items = [item for item in items if item["claim"].pk not in escalated_ids]
    context = {
        "recipient": recipient,
        "escalated": escalated,
        "disagreements": disagreements,
        "escalate_after_days": settings.VIGIL["ESCALATE_AFTER_DAYS"],
        "overdue": [i for i in items if i["countdown"].is_overdue],
        "due_soon": [i for i in items if not i["countdown"].is_overdue],
        "count": len(items) + len(escalated),
        "today": today,
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "preferences_url": f"{settings.SITE_URL}/desk/preferences/",
    }
    count = context["count"]
    parts = []
    if count or not disagreements:
        parts.append(f"{count} claim{'s' if count != 1 else ''} to review")
    if escalated:
        parts.append(f"{len(escalated)} escalated")
    if disagreements:
        parts.append(f"{len(disagreements)} disagreement{'s' if len(disagreements) != 1 else ''} to settle")
    subject = ", ".join(parts)
    message = EmailMultiAlternatives(
        subject=f"[{context['publication_name']}] {subject}",
        body=render_to_string("reviews/email/digest.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("reviews/email/digest.html", context), "text/html")
    return message


def reminders_settle(reminder_ids=None):
    """Derive each reminder's sent_at from its deliveries: sent once every
    delivery is, at the last one's time. Run in its own statement after the
    deliveries' commit, so of two digests finishing together the later one
    sees both (inside either transaction, each would miss the other's rows)."""
    unsent = ReminderDelivery.objects.filter(reminder=OuterRef("pk"), sent_at__isnull=True)
    last = (
        ReminderDelivery.objects.filter(reminder=OuterRef("pk"))
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    settled = Reminder.objects.filter(sent_at__isnull=True).filter(
        Exists(ReminderDelivery.objects.filter(reminder=OuterRef("pk"))), ~Exists(unsent)
    )
    if reminder_ids is not None:
        settled = settled.filter(pk__in=reminder_ids)
    return settled.update(sent_at=Subquery(last))


def digest_send(*, recipient_id, now=None):
    """Send one editor the digest of what they are owed. Returns how many
    claims it named (0 when another sender holds the rows or nothing is owed).
    A send failure gives the lease back and re-raises, for the task to retry.
    `now` is the job's clock (which digest hour it is); each lease is stamped
    with the time it is taken, so a long run's later leases are not born old."""
    token = uuid.uuid4().hex
    taken = timezone.now()
    # The conditional UPDATE is the claim: of two senders, only one gets each row.
    leased = _owed(recipient_id).filter(_unleased(taken))
    ReminderDelivery.objects.filter(pk__in=list(leased.values_list("pk", flat=True))).filter(
        _unleased(taken), sent_at__isnull=True
    ).update(claimed_at=taken, claim_token=token, attempts=F("attempts") + 1)
    mine = ReminderDelivery.objects.filter(claim_token=token, sent_at__isnull=True)
    deliveries = list(
        mine.select_related(
            "reminder__claim__article", "reminder__claim__assigned_editor", "recipient"
        ).order_by("pk")
    )
    if not deliveries:
        return 0
    recipient = deliveries[0].recipient
    message = digest_message(
        recipient=recipient, deliveries=deliveries, today=timezone.localdate(now or taken)
    )
    # The oldest row owed names the digest: sent again after a crash, it is the same message.
    message.extra_headers["Message-ID"] = message_id(f"digest:{deliveries[0].pk}")
    try:
        message.send()
    except Exception:
        mine.update(claimed_at=None, claim_token="")
        logger.warning("reminder digest to %s failed; will retry", recipient_id, exc_info=True)
        raise
    mine.update(sent_at=timezone.now())
    reminders_settle({d.reminder_id for d in deliveries})
    return len({d.reminder.claim_id for d in deliveries})


def reminders_recover():
    """Editors whose digest a dead sender left leased: send it now that the
    lease is out, without waiting for the next hourly run (every few minutes)."""
    taken = timezone.now()
    expired = ReminderDelivery.objects.filter(
        sent_at__isnull=True,
        claimed_at__isnull=False,
        claimed_at__lt=taken - datetime.timedelta(seconds=lease_seconds()),
    )
    reminders_settle()
    return sorted(set(expired.values_list("recipient_id", flat=True)))


def reminders_prepare(*, now=None):
    """Steps 1 and 2; returns the editors to send a digest to now."""
    now = now or timezone.now()
    reminders_ledger(today=timezone.localdate(now))
    reminders_fan_out(today=timezone.localdate(now))
    reminders_settle()
    return digest_recipients(now=now)


def reminders_run(*, now=None):
    """The whole job inline (cron, the embedded default): prepare, then send
    each digest; a failed send is logged and left for the next run."""
    now = now or timezone.now()
    sent = failed = 0
    for recipient_id in reminders_prepare(now=now):
        try:
            if digest_send(recipient_id=recipient_id, now=now):
                sent += 1
        except Exception:
            failed += 1
    return {"sent": sent, "failed": failed}
