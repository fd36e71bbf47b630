"""What the editors' notice of new dissent says (sent through vigil.notifications)."""

from vigil.notifications import desk_url

from .models import Dissent

DISSENT_RECEIVED = "dissent_received"


def describe_dissent_received(object_id):
    dissent = Dissent.objects.select_related("claim").filter(pk=object_id).first()
    if dissent is None:
        return None
    subject = f"New dissent on {dissent.claim.code}"
    body = (
        f"A reader sent dissent on {dissent.claim.code}:\n"
        f"  {dissent.claim.statement}\n\n"
        f"Argument (as sent, first 500 characters):\n{dissent.argument[:500]}\n\n"
        f"Weigh it: {desk_url('dissent:moderation')}\n"
    )
    return subject, body
