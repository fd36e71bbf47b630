from django.db import transaction
from django.utils import timezone

from corrections.models import CorrectionEntry
from corrections.services import correction_entry_create
from vigil.freshness import content_changed

from .models import Dissent


class DissentAlreadyWeighed(Exception):
    pass


@transaction.atomic
def dissent_weigh(*, dissent, material, editor, review=None, note=""):
    """Weigh one dissent item as material or not material. The review form and
    the moderation queue both call this. Material dissent on a published
    article becomes an entry in its change history (credited only with consent)."""
    dissent = Dissent.objects.select_for_update().select_related("claim__article").get(pk=dissent.pk)
    if dissent.status != Dissent.Status.RECEIVED:
        raise DissentAlreadyWeighed(f"This dissent was already {dissent.get_status_display().lower()}.")
    dissent.status = Dissent.Status.MATERIAL if material else Dissent.Status.NOT_MATERIAL
    dissent.weighed_at = timezone.now()
    dissent.weighed_by = editor
    dissent.weighed_in_review = review
    dissent.weighing_note = note
    article = dissent.claim.article
    if material and article.is_published:
        credit = f" from {dissent.credit}" if dissent.credit else " from a reader"
        dissent.correction_entry = correction_entry_create(
            article=article,
            claim=dissent.claim,
            kind=CorrectionEntry.Kind.MATERIAL_DISSENT,
            text=f"Material dissent{credit} on {dissent.claim.code} weighed. {note}".strip(),
            created_by=editor,
        )
    dissent.save()
    transaction.on_commit(content_changed)
    return dissent
