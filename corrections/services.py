from django.db import transaction
from django.utils import timezone

from vigil.freshness import content_changed

from .models import CorrectionEntry, SignOffRequest


@transaction.atomic
def correction_entry_create(
    *,
    article,
    kind,
    text,
    entry_on=None,
    claim=None,
    created_by=None,
    signoff_question="",
    signoff_addressed_to=None,
):
    """Append a dated entry to an article's correction log, optionally carrying
    a sign-off request addressed to an admin."""
    entry = CorrectionEntry.objects.create(
        article=article,
        kind=kind,
        text=text,
        entry_on=entry_on or timezone.localdate(),
        claim=claim,
        created_by=created_by,
    )
    if signoff_question:
        SignOffRequest.objects.create(
            entry=entry, question=signoff_question, addressed_to=signoff_addressed_to
        )
    transaction.on_commit(content_changed)
    return entry
