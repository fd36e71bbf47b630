from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from vigil.freshness import content_changed

from .models import Amendment, CorrectionEntry, SignOffRequest


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


class CorrectionLogRefused(Exception):
    """A correction-log action that changed nothing; the message says why."""


class SignOffAlreadyAnswered(CorrectionLogRefused):
    pass


def _require_admin(user):
    from vigil.roles import is_admin

    if not is_admin(user):
        raise PermissionDenied("Only an admin may do this.")


@transaction.atomic
def correction_entry_amend(*, entry, new_text, reason, admin):
    """Replace an entry's text (admins only). Readers see the new text; the old
    one stays in an Amendment that staff see on the entry, with who and when."""
    _require_admin(admin)
    new_text, reason = (new_text or "").strip(), (reason or "").strip()
    if not new_text:
        raise CorrectionLogRefused("The amended text cannot be empty.")
    if not reason:
        raise CorrectionLogRefused("Say why the entry is amended.")
    entry = CorrectionEntry.objects.select_for_update().get(pk=entry.pk)
    if new_text == entry.text:
        raise CorrectionLogRefused("The new text is the same as the current one; nothing changed.")
    amendment = Amendment.objects.create(
        entry=entry, previous_text=entry.text, new_text=new_text, reason=reason, amended_by=admin
    )
    entry.text = new_text
    # The one sanctioned update of an entry: update_fields passes the append-only guard.
    entry.save(update_fields=["text"])
    transaction.on_commit(content_changed)
    return amendment


@transaction.atomic
def signoff_answer(*, request, answer, admin):
    """Answer an open sign-off request (admins only), recording the answer, who and when.
    A request is answered once: a second answer changes nothing and says so."""
    _require_admin(admin)
    answer = (answer or "").strip()
    if not answer:
        raise CorrectionLogRefused("Write an answer.")
    request = SignOffRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise SignOffAlreadyAnswered(
            f"This sign-off request was already answered on {timezone.localtime(request.answered_at):%d %b %Y %H:%M}; nothing changed."
        )
    request.answer = answer
    request.answered_by = admin
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    return request
