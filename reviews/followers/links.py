"""The signed links in followers' e-mails. No account: the link is the key.

- confirm: proves the address is the reader's; expires (FOLLOW_CONFIRM_SECONDS);
- manage: lists an address's subscriptions with a button to stop each or all,
  and is the List-Unsubscribe target (RFC 8058 one-click). It does not expire:
  a reader must be able to leave from any message they kept.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "followers.confirm"
MANAGE_SALT = "followers.manage"


class LinkRefused(Exception):
    """A link that was tampered with or has expired; the message says which."""


def confirm_token(subscription):
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=CONFIRM_SALT)


def manage_token(email):
    return signing.dumps({"e": email}, salt=MANAGE_SALT)


def _read(token, *, salt, max_age=None):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused(
            "This link has expired. Nothing was changed; follow the page again to get a new one."
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            "This link is not one we sent, or it was cut short. Nothing was changed; "
            "copy the whole link from the e-mail, or follow the page again."
        ) from None


def read_confirm(token):
    """(subscription id, email) of a confirmation link, or LinkRefused."""
    data = _read(token, salt=CONFIRM_SALT, max_age=settings.VIGIL["FOLLOW_CONFIRM_SECONDS"])
    return data["s"], data["e"]


def read_manage(token):
    return _read(token, salt=MANAGE_SALT)["e"]


def confirm_url(subscription):
    return settings.SITE_URL + reverse("followers:confirm", args=[confirm_token(subscription)])


def manage_url(email):
    return settings.SITE_URL + reverse("followers:manage", args=[manage_token(email)])
