"""The read-only JSON API: claims and their reviews, for tools that poll.

Plain views returning JsonResponse. Lists are ordered by id and paged with an
opaque keyset cursor, so a page never shifts under a client while claims
change. Every answer carries an ETag and Last-Modified computed from one
aggregate query before anything is built (vigil.conditional, as for the
pages), and a client that sends them back gets a 304.

Bad filter values answer 400 with {"error": ..., "parameter": ...}; an unknown
claim code answers 404 in JSON; a method other than GET or HEAD, 405 in JSON
with an Allow header (vigil.readonly). Only claims of published articles are shown.
"""

import base64
import binascii
import datetime

from django.conf import settings
from django.db.models import Count, Max, Prefetch
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.models import Pillar
from claims.models import Claim, Verdict
from claims.scheduling import DueStatus
from corrections.models import CorrectionEntry
from vigil.cachetags import shows
from vigil.conditional import conditional, memo, stamps_of
from vigil.pagination import whole_number
from vigil.readonly import read_only
from vigil.pagecache import public_page

from .conditional import claim_api_stamps
from .models import Review

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
DUE_STATUSES = tuple(DueStatus)


class BadParameter(Exception):
    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _error(status, message, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


# --- Filters -----------------------------------------------------------------


def _filtered_claims(params, today):
    # An empty filter (?pillar=) means "all", as on the HTML ledger.
    params = {name: value for name, value in params.items() if value != ""}
    claims = Claim.objects.active()
    verdict = params.get("verdict")
    if verdict is not None:
        if verdict not in Verdict.values:
            raise BadParameter("verdict", f"verdict must be one of {', '.join(Verdict.values)}.")
        claims = claims.filter(verdict=verdict)
    pillar = params.get("pillar")
    if pillar is not None:
        if not Pillar.objects.filter(slug=pillar).exists():
            raise BadParameter("pillar", "pillar must be the slug of an existing pillar.")
        claims = claims.filter(article__pillar__slug=pillar)
    due = params.get("due")
    if due is not None:
        if due not in DUE_STATUSES:
            raise BadParameter("due", f"due must be one of {', '.join(DUE_STATUSES)}.")
        claims = claims.with_due_status(due, on=today)
    changed_since = params.get("changed_since")
    if changed_since is not None:
        claims = claims.filter(updated_at__gte=_parse_moment(changed_since))
    return claims


def _parse_moment(value):
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(
            "changed_since", "changed_since must be an ISO 8601 date or date-time."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _page_size(params):
    value = params.get("page_size")
    if value is None:
        return DEFAULT_PAGE_SIZE
    size = whole_number(value)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise BadParameter("page_size", f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    return size


def _encode_cursor(last_id):
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def _decode_cursor(params):
    value = params.get("cursor")
    if value is None:
        return None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "after" or whole_number(number) is None:
            raise ValueError
        return whole_number(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadParameter("cursor", "cursor is not one this API handed out.") from None


# --- Conditional GET (vigil.conditional) -------------------------------------


def _listed_claims(request):
    """The filtered list, once per request: the validators and the view share it.
    Raises BadParameter."""
    return memo(request, "api-claims", lambda: _filtered_claims(request.GET, timezone.localdate()))


def _list_stamps(request):
    try:
        claims = _listed_claims(request)
    except BadParameter:
        return None  # the view answers 400
    return memo(
        request, "api-claims-stamps", lambda: claims.aggregate(latest=Max("updated_at"), n=Count("pk"))
    )


# Clients may keep an answer for a minute, edges until a change purges it
# (vigil.pagecache); a query parameter the API does not read changes nothing.
API_LIST_PARAMS = ("verdict", "pillar", "due", "changed_since", "page_size", "cursor")


# --- Representations ---------------------------------------------------------


def claim_summary(claim, today):
    article = claim.article
    return {
        "code": claim.code,
        "url": _absolute(claim.get_absolute_url()),
        "api_url": _absolute(reverse("api:claim", kwargs={"code": claim.code})),
        "statement": claim.statement,
        "is_primary": claim.is_primary,
        "verdict": claim.verdict,
        "verdict_label": claim.get_verdict_display(),
        "cadence_days": claim.cadence_days,
        "last_reviewed_on": claim.last_reviewed_on.isoformat() if claim.last_reviewed_on else None,
        "next_review_due": claim.next_review_due.isoformat(),
        "due_status": claim.due_status(today),
        "updated_at": claim.updated_at.isoformat(),
        "article": {
            "slug": article.slug,
            "title": article.title,
            "url": _absolute(article.get_absolute_url()),
            "published_on": article.published_on.isoformat() if article.published_on else None,
            "pillar": article.pillar.slug if article.pillar else None,
            "section": article.section.slug,
        },
    }


def review_data(review):
    return {
        "reviewed_on": review.reviewed_on.isoformat(),
        "verdict_before": review.verdict_before,
        "verdict_after": review.verdict_after,
        "verdict_changed": review.verdict_changed,
        "cadence_days": review.cadence_days,
        "next_review_due": review.next_review_due.isoformat(),
        "reasoning": review.reasoning,
        "evidence_considered": review.evidence_considered,
    }


def claim_full(claim, today):
    data = claim_summary(claim, today)
    data["holding_up_note"] = claim.holding_up_note
    data["evidence_triggers"] = [
        {"text": trigger.text, "fired_on": trigger.fired_at.date().isoformat() if trigger.fired_at else None}
        for trigger in claim.triggers.all()
    ]
    data["reviews"] = [review_data(review) for review in claim.reviews.all()]
    data["corrections"] = [
        {
            "kind": entry.kind,
            "kind_label": entry.get_kind_display(),
            "entry_on": entry.entry_on.isoformat(),
            "text": entry.text,
            "url": _absolute(f"{claim.article.get_absolute_url()}#correction-{entry.pk}"),
        }
        for entry in claim.correction_entries.all()
    ]
    return data


# --- Views -------------------------------------------------------------------


@read_only(json=True)
@public_page(params=API_LIST_PARAMS, lists=["claim", "article", "pillar"])
@conditional("api-claims", _list_stamps)
def claim_list(request):
    today = timezone.localdate()
    try:
        claims = _listed_claims(request)
        page_size = _page_size(request.GET)
        after = _decode_cursor(request.GET)
    except BadParameter as bad:
        return _error(400, bad.message, parameter=bad.parameter)

    page = claims.select_related("article__pillar", "article__section").order_by("pk")
    if after is not None:
        page = page.filter(pk__gt=after)
    rows = list(page[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_url = None
    if more:
        query = request.GET.copy()
        query["cursor"] = _encode_cursor(rows[-1].pk)
        next_url = _absolute(f"{reverse('api:claims')}?{query.urlencode()}")
    return JsonResponse(
        {
            "count": _list_stamps(request)["n"],
            "next": next_url,
            "results": [claim_summary(claim, today) for claim in rows],
        }
    )


@read_only(json=True)
@public_page
@conditional("api-claim", claim_api_stamps)
def claim_detail(request, code):
    today = timezone.localdate()
    claim = (
        Claim.objects.active()
        .select_related("article__pillar", "article__section")
        .prefetch_related(
            "triggers",
            Prefetch("reviews", queryset=Review.objects.order_by("-reviewed_on", "-pk")),
            Prefetch("correction_entries", queryset=CorrectionEntry.objects.order_by("entry_on", "pk")),
        )
        .filter(code=code)
        .first()
    )
    if claim is None:
        return _error(404, f"No published claim has the code {code!r}.")
    shows(request, claim, claim.article.pillar, claim.article.section)
    return JsonResponse(claim_full(claim, today))


@read_only(json=True)
@public_page(params=("page_size", "cursor"))
@conditional("api-claim-reviews", claim_api_stamps, countdowns=False)
def claim_reviews(request, code):
    """A claim's review history, newest first, paged with the same opaque
    cursor as the claim list (after a review id, going back in time)."""
    stamps = stamps_of(request, "api-claim-reviews")  # read by @conditional: the claim's id
    if stamps is None:
        return _error(404, f"No published claim has the code {code!r}.")
    shows(request, claim=code)
    try:
        page_size = _page_size(request.GET)
        before = _decode_cursor(request.GET)
    except BadParameter as bad:
        return _error(400, bad.message, parameter=bad.parameter)
    reviews = Review.objects.filter(claim_id=stamps["pk"]).order_by("-pk")
    if before is not None:
        reviews = reviews.filter(pk__lt=before)
    rows = list(reviews[: page_size + 1])
    next_url = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        query = request.GET.copy()
        query["cursor"] = _encode_cursor(rows[-1].pk)
        next_url = _absolute(f"{reverse('api:claim_reviews', kwargs={'code': code})}?{query.urlencode()}")
    return JsonResponse(
        {
            "claim": _absolute(reverse("api:claim", kwargs={"code": code})),
            "next": next_url,
            "results": [{"id": review.pk, **review_data(review)} for review in rows],
        }
    )


@read_only(json=True)
def openapi(request):
    from .openapi import description

    return JsonResponse(description(server=_absolute(reverse("api:claims").removesuffix("claims/"))))
