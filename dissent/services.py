import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from corrections.services import material_dissent_entry
from vigil.actions import EDITOR, READER, action
from vigil.notifications import notify_editors, outbox_write
from vigil.ratelimit import fingerprint, reader_text

from .models import Dissent
from .notices import DISSENT_ACKNOWLEDGED, DISSENT_RECEIVED

logger = logging.getLogger(__name__)


class DissentAlreadyWeighed(Exception):
    pass


class DissentRefused(ValidationError):
    """A submission the service will not store; `field` says which input caused it."""

    def __init__(self, message, *, field=None, code=None):
        super().__init__(message, code=code)
        self.field = field


@action("dissent.submit", role=READER)
def dissent_submit(*, claim, argument, sources=(), name="", email="", consent_to_credit=False, record):
    """Receive a reader's reasoned dissent on a claim of a published article.

    The form has already told the reader about anything it could; these guards
    hold for every caller. The editors' notices and the reader's
    acknowledgement are outbox rows in the same transaction: sent only once
    the dissent is safely stored, and never lost if the broker is down.
    """
    limits = settings.PUBLIC_FORMS
    argument = reader_text(argument).strip()
    name = reader_text(name).strip()
    sources = list(sources)
    if not claim.article.is_published:
        raise DissentRefused(
            "This article is no longer open for dissent.", field="claim", code="not_published"
        )
    if not limits["ARGUMENT_MIN_CHARS"] <= len(argument) <= limits["ARGUMENT_MAX_CHARS"]:
        raise DissentRefused("The argument is too short or too long.", field="argument", code="length")
    if len(sources) > limits["MAX_SOURCES"]:
        raise DissentRefused("Too many sources.", field="sources", code="too_many")
    check_url = URLValidator(schemes=["http", "https"])
    for url in sources:
        try:
            check_url(url)
        except ValidationError:
            raise DissentRefused(
                "Sources must be http or https addresses.", field="sources", code="url"
            ) from None
    argument_print = fingerprint(argument)
    # Lock the claim so two identical posts racing each other cannot both pass the check.
    type(claim).objects.select_for_update().filter(pk=claim.pk).exists()
    if Dissent.objects.filter(fingerprint=argument_print).exists():
        raise DissentRefused(
            "We have already received this exact argument. There is no need to send it again.",
            field="argument",
            code="duplicate",
        )
    dissent = Dissent.objects.create(
        claim=claim,
        argument=argument,
        sources=sources,
        name=name,
        email=email,
        consent_to_credit=bool(consent_to_credit and name),
        fingerprint=argument_print,
    )
    notify_editors(event=DISSENT_RECEIVED, object_id=dissent.pk)
    # The reader's receipt rides the outbox too: with Redis down it waits, never vanishes.
    outbox_write(kind=DISSENT_ACKNOWLEDGED, object_id=dissent.pk, recipients=[email])
    record.touch(claim)
    record.say(f"Dissent {dissent.pk} received on {claim.code}")
    return dissent


@action("dissent.weigh", role=EDITOR, actor="editor")
def dissent_weigh(*, dissent, material, editor, review=None, note="", record):
    """Weigh one dissent item as material or not material. The review form and
    the moderation queue both call this. Material dissent on a published
    article becomes an entry in its change history (credited only with consent)."""
    dissent = (
        Dissent.objects.select_for_update(of=("self",)).select_related("claim__article").get(pk=dissent.pk)
    )
    if dissent.status != Dissent.Status.RECEIVED:
        raise DissentAlreadyWeighed(f"This dissent was already {dissent.get_status_display().lower()}.")
    dissent.status = Dissent.Status.MATERIAL if material else Dissent.Status.NOT_MATERIAL
    dissent.weighed_at = timezone.now()
    dissent.weighed_by = editor
    dissent.weighed_in_review = review
    dissent.weighing_note = note
    article = dissent.claim.article
    if material and article.is_published:
        dissent.correction_entry = material_dissent_entry(
            dissent=dissent, editor=editor, note=note, record=record
        )
    dissent.save()
    record.touch(dissent.claim)
    record.say(f"Dissent {dissent.pk} on {dissent.claim.code} weighed as {'material' if material else 'not material'}")
    return dissent


@action("dissent.reject", role=EDITOR, actor="editor")
def dissent_reject(*, dissent, editor, note="", record):
    """Reject a dissent item as spam or abuse. It never reaches readers."""
    dissent = (
        Dissent.objects.select_for_update(of=("self",)).select_related("claim__article").get(pk=dissent.pk)
    )
    if dissent.status != Dissent.Status.RECEIVED:
        raise DissentAlreadyWeighed(f"This dissent was already {dissent.get_status_display().lower()}.")
    dissent.status = Dissent.Status.REJECTED
    dissent.weighed_at = timezone.now()
    dissent.weighed_by = editor
    dissent.weighing_note = note
    dissent.save(update_fields=["status", "weighed_at", "weighed_by", "weighing_note"])
    record.touch(claim=dissent.claim.code)
    record.say(f"Dissent {dissent.pk} on {dissent.claim.code} rejected")
    return dissent
