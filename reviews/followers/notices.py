"""What followers' e-mails say (sent through vigil.notifications): the
confirmation of a follow, the changes they follow (one e-mail, or one digest
of the changes that fell in one window), and a dissenter's answer. Every one
carries the one-click unsubscribe headers of RFC 8058 and a visible link."""

from django.conf import settings
from django.template.loader import render_to_string

from claims.models import Verdict
from dissent.models import Dissent
from vigil.models import Event
from vigil.notifications import Notice

from .changes import change_for, followed_title
from .links import confirm_url, manage_url
from .models import Subscription

FOLLOW_CONFIRM = "follow_confirm"
FOLLOWER_CHANGE = "follower_change"
DISSENT_ANSWER = "dissent_answer"


def leave_headers(email):
    url = manage_url(email)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _render(name, context):
    context = {"publication_name": settings.VIGIL["PUBLICATION_NAME"], "site_url": settings.SITE_URL, **context}
    return (
        render_to_string(f"followers/email/{name}.txt", context),
        render_to_string(f"followers/email/{name}.html", context),
    )


def describe_follow_confirm(rows):
    subscription = Subscription.objects.filter(pk=rows[0].object_id, confirmed_at__isnull=True).first()
    if subscription is None:
        return None  # confirmed already, or expired and forgotten
    title = followed_title(subscription.kind, subscription.key) or subscription.key
    text, html = _render(
        "confirm",
        {
            "title": title,
            "subscription": subscription,
            "confirm_url": confirm_url(subscription),
            "days": settings.VIGIL["FOLLOW_CONFIRM_SECONDS"] // 86400,
        },
    )
    return Notice(subject=f"Confirm: follow {title}", body=text, html=html)


def describe_changes(rows):
    """One e-mail for every change owed to one reader: a digest when several
    fell in the same window. None if they no longer follow anything."""
    email = rows[0].recipient
    if not Subscription.objects.confirmed().filter(email=email).exists():
        return None
    events = Event.objects.filter(pk__in=[row.object_id for row in rows]).prefetch_related("subjects")
    changes = [change for change in map(change_for, events.order_by("at", "pk")) if change]
    if not changes:
        return None
    manage = manage_url(email)
    text, html = _render("changes", {"changes": changes, "manage_url": manage})
    subject = changes[0].heading if len(changes) == 1 else f"{len(changes)} changes to what you follow"
    return Notice(subject=subject, body=text, html=html, headers=leave_headers(email))


def describe_dissent_answer(rows):
    """The dissenter is told what the review that weighed their dissent decided."""
    dissent = (
        Dissent.objects.select_related("claim__article", "weighed_in_review")
        .filter(pk=rows[0].object_id, weighed_in_review__isnull=False)
        .first()
    )
    if dissent is None or not dissent.email:
        return None
    review = dissent.weighed_in_review
    claim = dissent.claim
    text, html = _render(
        "dissent_answer",
        {
            "dissent": dissent,
            "claim": claim,
            "review": review,
            "material": dissent.status == Dissent.Status.MATERIAL,
            "verdict_before": Verdict(review.verdict_before).label,
            "verdict_after": Verdict(review.verdict_after).label,
            "history_url": f"{settings.SITE_URL}{claim.get_absolute_url()}",
            "manage_url": manage_url(dissent.email),
        },
    )
    return Notice(
        subject=f"Your dissent on {claim.code}: the review's decision",
        body=text,
        html=html,
        headers=leave_headers(dissent.email),
    )
