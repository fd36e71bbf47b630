"""The editor desk's review queue: which claims it lists, in what order, and
how much dissent waits on each. The read lives here, with the desk, because
it counts dissent, which claims know nothing of."""

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import Claim
from dissent.models import Dissent


# Most overdue first; the code settles a day's ties, so every claim has its own key.
QUEUE_ORDER = ("next_review_due", "code")


# What the queue lists: the due window (the default), or, for a review before
# its date, the claims with dissent waiting, those not yet due, or every claim.
DUE = ""
DISSENT_WAITING = "dissent"
NOT_YET_DUE = "not_yet_due"
EVERY_CLAIM = "all"
SHOW_CHOICES = [
    (DUE, "Due and overdue"),
    (DISSENT_WAITING, "Dissent waiting"),
    (NOT_YET_DUE, "Not yet due"),
    (EVERY_CLAIM, "Every claim"),
]


def _unweighed_dissent():
    return Dissent.objects.filter(claim=OuterRef("pk"), status=Dissent.Status.RECEIVED)


def with_unweighed_dissent_count(claims):
    """Annotate `unweighed_dissent_count`. A correlated subquery, not a join
    with GROUP BY, so a page of the queue counts only its own rows."""
    unweighed = (
        _unweighed_dissent()
        .order_by()
        .values("claim")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return claims.annotate(unweighed_dissent_count=Coalesce(Subquery(unweighed), 0))


def review_queue(*, on=None, window_days=None, show=DUE):
    """The review queue: active claims overdue (most overdue first), then
    those due within `window_days` of `on`, soonest first. `show` lists
    instead, in the same order, the claims with dissent waiting to be weighed,
    those not yet due (due after `on`), or every claim: any claim may be
    reviewed before it is due."""
    on = on or timezone.localdate()
    if window_days is None:
        window_days = settings.VIGIL["QUEUE_WINDOW_DAYS"]
    claims = Claim.objects.active()
    if show == DUE:
        claims = claims.due(on=on, within_days=window_days)
    elif show == NOT_YET_DUE:
        claims = claims.filter(next_review_due__gt=on)
    elif show == DISSENT_WAITING:
        claims = claims.filter(Exists(_unweighed_dissent()))
    claims = claims.select_related("article__pillar", "assigned_editor").order_by(*QUEUE_ORDER)
    return with_unweighed_dissent_count(claims)


ESCALATED_SHOWN = 20


def escalated_claims(*, on=None):
    """Claims overdue past the escalation threshold, most overdue first, with
    who owns each: the top of an admin's queue, whatever the filters."""
    return (
        Claim.objects.active()
        .escalated(on=on)
        .select_related("article", "assigned_editor")
        .order_by("next_review_due", "code")
    )
