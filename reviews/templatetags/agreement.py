import datetime

from django import template
from django.conf import settings
from django.utils import timezone

from reviews.agreement import cohen_kappa
from reviews.models import SecondReview

register = template.Library()

AGREEMENT_DAYS = 365


@register.inclusion_tag("reviews/parts/agreement.html")
def reviewer_agreement():
    """How far blind second reviews agreed with the first over the last 12
    months (Cohen's kappa, raw agreement, pairs): one query, on the desk and
    the method page."""
    since = timezone.now() - datetime.timedelta(days=AGREEMENT_DAYS)
    return {
        "agreement": cohen_kappa(SecondReview.objects.agreement_pairs(since=since)),
        "percent": settings.VIGIL["SECOND_REVIEW_PERCENT"],
    }
