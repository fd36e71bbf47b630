import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.freshness import content_changed
from vigil.roles import is_editor

from .models import Claim, ClaimCodeCounter, EvidenceTrigger

logger = logging.getLogger(__name__)


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


@transaction.atomic
def claim_create(
    *,
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
    # A new claim shows on its article's page and in the ledger.
    transaction.on_commit(content_changed)
    return claim


class TriggerAlreadyFired(Exception):
    pass


@transaction.atomic
def trigger_fire(*, trigger, editor, note, url=""):
    """Mark an evidence trigger as fired: the claim becomes due for review now
    and rises in the queue. A claim already overdue keeps its earlier date, so
    firing never makes it look less late."""
    # Claim row first, as review_record does: one lock order, no deadlocks.
    claim = Claim.objects.select_for_update().get(pk=trigger.claim_id)
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
    today = timezone.localdate()
    if claim.next_review_due > today:
        claim.next_review_due = today
        claim.save(update_fields=["next_review_due", "updated_at"])
    # Readers see the fired trigger and the badge's countdown change.
    transaction.on_commit(content_changed)
    return trigger


@transaction.atomic
def claim_assign(*, claim, editor, assigned_by):
    """Give a claim an owning editor, or None to make it everyone's again."""
    if editor is not None and not is_editor(editor):
        raise ValidationError({"editor": f"{editor.get_username()} is not an editor."})
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    claim.assigned_editor = editor
    claim.save(update_fields=["assigned_editor", "updated_at"])
    logger.info(
        "%s assigned %s to %s",
        assigned_by.get_username(),
        claim.code,
        editor.get_username() if editor else "nobody",
    )
    return claim
