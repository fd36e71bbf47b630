from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import Dissent


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def dissent_acknowledge(dissent_id):
    """E-mail the reader that their dissent arrived and what happens next."""
    dissent = Dissent.objects.select_related("claim__article").filter(pk=dissent_id).first()
    if dissent is None or not dissent.email:
        return
    context = {
        "dissent": dissent,
        "claim": dissent.claim,
        "article": dissent.claim.article,
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
    }
    send_mail(
        subject=f"We received your dissent on {dissent.claim.code}",
        message=render_to_string("dissent/email/acknowledgement.txt", context),
        from_email=None,
        recipient_list=[dissent.email],
    )
