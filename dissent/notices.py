"""What the dissent app's e-mails say (sent through vigil.notifications): the
editors' notice of new dissent, and the reader's acknowledgement."""

from django.conf import settings
from django.template.loader import render_to_string

from vigil.notifications import Notice, desk_url

from .models import Dissent

DISSENT_RECEIVED = "dissent_received"
DISSENT_ACKNOWLEDGED = "dissent_acknowledged"


def describe_dissent_received(rows):
    dissent = Dissent.objects.select_related("claim").filter(pk=rows[0].object_id).first()
    if dissent is None:
        return None
    return Notice(
        subject=f"New dissent on {dissent.claim.code}",
        body=(
            f"A reader sent dissent on {dissent.claim.code}:\n"
            f"  {dissent.claim.statement}\n\n"
            f"Argument (as sent, first 500 characters):\n{dissent.argument[:500]}\n\n"
            f"Weigh it: {desk_url('dissent:moderation')}\n"
        ),
    )


def describe_dissent_acknowledged(rows):
    """The reader's own receipt: their dissent arrived, and what happens next."""
    dissent = Dissent.objects.select_related("claim__article").filter(pk=rows[0].object_id).first()
    if dissent is None or not dissent.email:
        return None
    context = {
        "dissent": dissent,
        "claim": dissent.claim,
        "article": dissent.claim.article,
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
    }
    return Notice(
        subject=f"We received your dissent on {dissent.claim.code}",
        body=render_to_string("dissent/email/acknowledgement.txt", context),
    )
