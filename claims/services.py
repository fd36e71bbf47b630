import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Claim, ClaimCodeCounter, EvidenceTrigger


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
    return claim
