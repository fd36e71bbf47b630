import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from vigil.actions import ADMIN, EDITOR, action
from vigil.roles import display_name, is_editor

from .models import Claim, ClaimCodeCounter, EvidenceTrigger
from . import scheduling
from .scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS, cadence_is_valid


def claim_code_allocate(*, prefix=None):
    """Hand out the next public code for `prefix` (e.g. AM-061). Codes are never
    reused: the counter only moves forward, whatever happens to old claims."""
    prefix = prefix or settings.VIGIL["CLAIM_CODE_PREFIX"]
    with transaction.atomic():
        ClaimCodeCounter.objects.get_or_create(prefix=prefix)
        counter = ClaimCodeCounter.objects.select_for_update().get(prefix=prefix)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"{prefix}-{counter.last_number:0{settings.VIGIL['CLAIM_CODE_DIGITS']}d}"


@action("claim.create", role=EDITOR, actor="actor")
def claim_create(
    *,
    actor,
    article,
    statement,
    verdict,
    cadence_days=60,
    is_primary=False,
    holding_up_note="",
    triggers=(),
    next_review_due=None,
    last_reviewed_on=None,
    assigned_editor=None,
    prefix=None,
    record,
):
    """Create a claim under a fresh code, with its evidence triggers."""
    start = last_reviewed_on or timezone.localdate()
    claim = Claim.objects.create(
        code=claim_code_allocate(prefix=prefix),
        article=article,
        statement=statement,
        verdict=verdict,
        cadence_days=cadence_days,
        is_primary=is_primary,
        holding_up_note=holding_up_note,
        last_reviewed_on=last_reviewed_on,
        next_review_due=next_review_due or start + datetime.timedelta(days=cadence_days),
        assigned_editor=assigned_editor,
    )
    EvidenceTrigger.objects.bulk_create(
        EvidenceTrigger(claim=claim, text=text, position=position)
        for position, text in enumerate(triggers)
    )
    record.touch(claim)
    record.say(f"{claim.code} created: {claim.get_verdict_display()}, due {claim.next_review_due:%d %b %Y}")
    return claim


def claim_make_due(claim, *, on):
    """Make a claim due for review on `on` (a fired trigger, an approved
    rewrite). A claim already due earlier keeps its date: never less late.
    Returns True if the date moved. Callers hold the claim's row lock."""
    due = scheduling.due_now(claim.next_review_due, on)
    if due == claim.next_review_due:
        return False
    claim.next_review_due = due
    # updated_at too: the API's changed_since follows it.
    claim.save(update_fields=["next_review_due", "updated_at"])
    return True


class ScheduleChanged(Exception):
    """The claim's due date moved since the caller planned to move it."""


@action("claim.reschedule", role=EDITOR, actor="editor")
def claim_reschedule(*, claim, editor, due_on, expected_due=None, reason, record):
    """Move a claim's next review to `due_on`, 30–90 days after the day its
    schedule counts from and not in the past (spreading a pile-up). Refuses
    with ScheduleChanged if the due date is no longer `expected_due` (a
    review or a fired trigger got there first): nothing is written then."""
    claim = (
        Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=claim.pk)
    )
    before = claim.next_review_due
    if expected_due is not None and before != expected_due:
        raise ScheduleChanged(
            f"{claim.code} is now due {before:%d %b %Y}, not {expected_due:%d %b %Y}."
        )
    today = timezone.localdate()
    base = claim.schedule_base
    if due_on < today or not cadence_is_valid((due_on - base).days):
        earliest = max(base + datetime.timedelta(days=CADENCE_MIN_DAYS), today)
        latest = base + datetime.timedelta(days=CADENCE_MAX_DAYS)
        raise ValidationError(
            {"due_on": f"{claim.code} may be due from {earliest:%d %b %Y} to {latest:%d %b %Y}."}
        )
    claim.next_review_due = due_on
    claim.save(update_fields=["next_review_due", "updated_at"])
    record.touch(claim)
    record.say(f"{claim.code} rescheduled ({reason}): due {before:%d %b %Y} → {due_on:%d %b %Y}")
    return claim


class TriggerAlreadyFired(Exception):
    pass


@action("trigger.fire", role=EDITOR, actor="editor")
def trigger_fire(*, trigger, editor, note, url="", record):
    """Mark an evidence trigger as fired: the claim becomes due for review now
    and rises in the queue. A claim already overdue keeps its earlier date, so
    firing never makes it look less late."""
    # Claim row first, as review_record does: one lock order, no deadlocks.
    claim = Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=trigger.claim_id)
    trigger = EvidenceTrigger.objects.select_for_update().get(pk=trigger.pk)
    if trigger.fired_at is not None:
        fired_on = timezone.localtime(trigger.fired_at)
        raise TriggerAlreadyFired(
            f"This trigger was already marked as fired on {fired_on:%d %b %Y}."
        )
    trigger.fired_at = timezone.now()
    trigger.fired_by = editor
    trigger.fired_note = note
    trigger.fired_url = url
    trigger.save(update_fields=["fired_at", "fired_by", "fired_note", "fired_url"])
    claim_make_due(claim, on=timezone.localdate())
    record.touch(claim)
    record.say(f"Fired “{trigger.text[:120]}”: {note[:200]}")
    return trigger


@action("claim.assign", role=EDITOR, actor="assigned_by")
def claim_assign(*, claim, editor, assigned_by, record):
    """Give a claim an owning editor, or None to make it everyone's again."""
    if editor is not None and not is_editor(editor):
        raise ValidationError({"editor": f"{editor.get_username()} is not an editor."})
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("article", "assigned_editor")
        .get(pk=claim.pk)
    )
    before = claim.assigned_editor
    claim.assigned_editor = editor
    claim.save(update_fields=["assigned_editor", "updated_at"])
    record.touch(claim)
    record.say(
        f"Assigned {claim.code}: {display_name(before) if before else 'nobody'} → "
        f"{display_name(editor) if editor else 'nobody'}"
    )
    return claim


class PublicationRefused(Exception):
    """A publication that did not happen; the message says why."""


@action("article.publish", role=ADMIN, actor="admin")
def article_publish(*, article, admin, on=None, record):
    """Put a draft live on `on` (today by default), signed off by `admin`. Its
    claims start their schedules then: each is first due on the least-loaded
    day near a cadence after the publication date, whatever was typed before.
    It lives here, not in articles, because it sets the claims' schedules."""
    today = timezone.localdate()
    on = on or today
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.DRAFT:
        raise PublicationRefused(f"Only a draft can be published; this article is {article.get_status_display().lower()}.")
    if on > today:
        raise PublicationRefused("A publication date cannot be in the future.")
    claims = list(Claim.objects.select_for_update().filter(article=article))
    if not any(claim.is_primary for claim in claims):
        raise PublicationRefused("An article is published with its primary claim: add one first.")
    if article.pillar_id is None:
        raise PublicationRefused("Choose the article's pillar before publishing it.")
    article.status = Article.Status.PUBLISHED
    article.published_on = on
    article.signed_off_by = article.signed_off_by or display_name(admin)
    article.save(update_fields=["status", "published_on", "signed_off_by", "updated_at"])
    for claim in claims:
        claim.article = article  # the row just locked and saved, not a lazy load per claim
        claim.next_review_due = claim.proposed_due(base=on, cadence_days=claim.cadence_days)
        claim.save(update_fields=["next_review_due", "updated_at"])
        record.touch(claim)
    record.touch(article)
    record.say(f"Published “{article.title}” on {on:%d %b %Y} with {len(claims)} claim(s)")
    return article
