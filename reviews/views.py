import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from claims.models import Claim, EvidenceTrigger
from claims.scheduling import cadence_is_valid, load_window
from claims.services import TriggerAlreadyFired, claim_assign, trigger_fire
from claims.spreading import claims_spread
from claims.timeline import build_timeline
from dissent.models import Dissent
from vigil.conditional import conditional
from vigil.fragments import render_page_or_fragment
from vigil.cachetags import shows, tag, tags_of
from vigil.objectcache import ObjectFragments, badge_fragment
from vigil.pagecache import public_page
from vigil.pagination import KEYSET_PARAMS, KeysetPaginator
from vigil.roles import display_name, editor_required, is_admin

from .conditional import claim_page_stamps
from .forecast import away_offers, forecast
from .forms import (
    AssignForm,
    QueueFilterForm,
    ReassignForm,
    ReviewForm,
    SpreadForm,
    TriggerFireForm,
    VerdictForm,
)
from .models import EditorPreference, Review, SecondReview, TimeAway
from .preferences import (
    EditorPreferenceForm,
    TimeAwayForm,
    editor_preference_save,
    time_away_add,
    time_away_remove,
)
from .queue import ESCALATED_SHOWN, QUEUE_ORDER, escalated_claims, review_queue
from .services import (
    ReviewConflict,
    review_record,
    second_review_record,
    second_review_settle,
)

QUEUE_PAGE_SIZE = 25
REVIEW_HISTORY_SHOWN = 10
# The claim page shows this many latest reviews; the rest are a page away.
CLAIM_PAGE_REVIEWS = 10
SECOND_REVIEW_DISSENT_SHOWN = 20


# The public claim page: a claim's verdict and review history ----------------


@public_page(params=KEYSET_PARAMS)  # older reviews are a keyset page away
@conditional("claim", claim_page_stamps)
def claim_detail(request, code):
    """A claim's public page: badge, verdict-history timeline, the latest
    reviews with their reasoning (older ones a keyset page away), and the
    material dissent weighed."""
    # Before the queries: kept fragments are checked against what happened since.
    fragments = ObjectFragments(request)
    claim = get_object_or_404(
        Claim.objects.select_related("article__pillar", "article__section", "article__redirect_to").filter(
            article__status__in=["published", "retired"]
        ),
        code=code,
    )
    # The chart needs every review's day and verdict, and nothing else of them;
    # read only when the chart or the count is rendered (kept with the claim).
    history = functools.cache(lambda: list(
        claim.reviews.order_by("reviewed_on", "pk").values_list("reviewed_on", "verdict_after")
    ))
    reviews = KeysetPaginator(
        claim.reviews.select_related("editor"), CLAIM_PAGE_REVIEWS, order=("-reviewed_on", "-pk")
    ).page(request.GET)
    # The head (JSON-LD), the badge and each review are kept per object
    # (vigil.objectcache): a review, its dissent included, changes only through
    # an action on its claim. Only the reviews rendered now read their dissent.
    claim_tags = tags_of(claim)  # the claim's and its article's (retirement, title)
    fragments.want("claim-head", [claim], tags=lambda c: claim_tags)
    fragments.want(badge_fragment("large", claim.article.is_retired), [claim], tags=lambda c: claim_tags)
    fragments.want("review", reviews.object_list, tags=lambda review: claim_tags[:1])
    fragments.want("claim-history", [claim], tags=lambda c: claim_tags)
    fragments.want("review-count", [claim], tags=lambda c: claim_tags[:1])
    fragments.want("material-dissent", [claim], tags=lambda c: claim_tags[:1])
    fragments.fetch()
    prefetch_related_objects(
        fragments.missing("review"),
        Prefetch("dissent_weighed", queryset=Dissent.objects.material(), to_attr="material_dissent"),
    )
    # Read only where its fragment renders (weighing dissent touches the claim).
    material_dissent = functools.cache(lambda: list(
        claim.dissent.material()
        .filter(weighed_in_review__isnull=True)
        .order_by("-weighed_at", "-pk")
    ))
    shows(request, claim, claim.article.pillar, claim.article.section)
    context = {
        "claim": claim,
        "reviews": reviews,  # newest first; the chart reads left to right
        # Called by the template only where its fragment renders.
        "review_count": lambda: len(history()),
        "timeline": functools.cache(lambda: build_timeline(history())),
        "material_dissent": material_dissent,
        "fragments": fragments,
    }
    response = render(request, "reviews/claim_detail.html", context)
    fragments.store()
    return response


# The editor desk -------------------------------------------------------------


@editor_required
@require_http_methods(["GET", "HEAD"])
def queue(request):
    """Overdue claims (most overdue first), then those due within the window."""
    fragments = ObjectFragments(request)  # before the queries (vigil.objectcache)
    today = timezone.localdate()
    form = QueueFilterForm(request.GET)
    form.is_valid()  # a bad value is reported by its field; the valid ones still apply
    show = form.listing()
    claims = form.filter(review_queue(on=today, show=show), user=request.user)
    page = KeysetPaginator(claims, QUEUE_PAGE_SIZE, order=QUEUE_ORDER).page(request.GET)
    # A row is the same for every editor: kept by its article's versions (every
    # change to a claim, its dissent or its assignment touches its article), its
    # pillar's and its editor's (their name).
    fragments.want("queue-row", page.object_list, tags=_queue_row_tags)
    fragments.fetch()
    escalated = second_reviews_open = None
    if not request.htmx:  # the filters' fragment is only the table
        second_reviews_open = SecondReview.objects.open_for(request.user).count()
        if is_admin(request.user):
            # One more than shown: enough to say there are more.
            escalated = list(escalated_claims(on=today)[: ESCALATED_SHOWN + 1])
    context = {
        "form": form,
        "page": page,
        "show": show,
        "searched": (getattr(form, "cleaned_data", {}).get("q") or "").strip(),
        "today": today,
        "window_days": settings.VIGIL["QUEUE_WINDOW_DAYS"],
        "escalated": escalated,
        "escalated_shown": ESCALATED_SHOWN,
        "second_reviews_open": second_reviews_open,
        "escalate_after_days": settings.VIGIL["ESCALATE_AFTER_DAYS"],
        "fragments": fragments,
    }
    response = render_page_or_fragment(request, "reviews/queue.html", "queue-table", context)
    fragments.store()
    return response


def _queue_row_tags(claim):
    editor = claim.assigned_editor
    return [*tags_of(claim.article, claim.article.pillar),
            *([tag("person", editor.get_username())] if editor else [])]


def _claim_for_desk(code):
    return get_object_or_404(
        Claim.objects.select_related("article__pillar", "article__section", "assigned_editor"),
        code=code,
    )


def _latest_review(claim):
    return claim.reviews.select_related("editor").order_by("-reviewed_on", "-pk").first()


def _pending_dissent(claim):
    return list(claim.dissent.unweighed().order_by("received_at", "pk"))


def _review_page(
    request, claim, *, form=None, trigger_forms=None, assign_form=None, conflict=None, status=200
):
    latest = _latest_review(claim)
    if form is None:
        form = ReviewForm(
            initial={
                "verdict": claim.verdict,
                "cadence_days": claim.cadence_days,
                "holding_up_note": claim.holding_up_note,
                "expected_last_review_id": latest.pk if latest else None,
            },
            dissent_items=_pending_dissent(claim),
        )
    trigger_forms = trigger_forms or {}
    triggers = list(claim.triggers.select_related("fired_by").order_by("position", "pk"))
    for trigger in triggers:
        trigger.fire_form = trigger_forms.get(trigger.pk) or TriggerFireForm(
            prefix=f"trigger-{trigger.pk}"
        )
    context = {
        "claim": claim,
        "form": form,
        "proposal": _proposal(claim, form["cadence_days"].value()),
        "history": claim.reviews.select_related("editor").order_by("-reviewed_on", "-pk")[
            :REVIEW_HISTORY_SHOWN
        ],
        "review_count": claim.reviews.count(),
        "triggers": triggers,
        "assign_form": assign_form or AssignForm(initial={"editor": claim.assigned_editor_id}),
        "conflict": conflict,
        "today": timezone.localdate(),
    }
    return render(request, "reviews/review.html", context, status=status)


def _proposal(claim, cadence_days):
    """The next due date the review form proposes for the cadence typed (the
    claim's own while what was typed is not a cadence)."""
    try:
        cadence_days = int(cadence_days)
    except (TypeError, ValueError):
        cadence_days = claim.cadence_days
    if not cadence_is_valid(cadence_days):
        cadence_days = claim.cadence_days
    today = timezone.localdate()
    shortest, longest = load_window(cadence_days, settings.VIGIL["LOAD_WINDOW_PERCENT"])
    on = claim.proposed_due(base=today, cadence_days=cadence_days)
    return {
        "on": on,
        "days": (on - today).days,
        "cadence_days": cadence_days,
        "shortest": shortest,
        "longest": longest,
    }


@editor_required
@require_http_methods(["GET", "HEAD"])
def review_proposal(request, code):
    """The proposed next due date for another cadence: the review form's
    htmx fragment as the editor types a cadence."""
    claim = _claim_for_desk(code)
    context = {"claim": claim, "proposal": _proposal(claim, request.GET.get("cadence_days"))}
    return render(request, "reviews/parts/next_review.html#proposal", context)


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, code):
    """The review form for one claim. Saving calls reviews.services.review_record."""
    claim = _claim_for_desk(code)
    if request.method != "POST":
        return _review_page(request, claim)

    form = ReviewForm(request.POST, dissent_items=_pending_dissent(claim))
    if not form.is_valid():
        return _review_page(request, claim, form=form, status=422)
    data = form.cleaned_data
    try:
        review_record(
            claim=claim,
            editor=request.user,
            verdict=data["verdict"],
            cadence_days=data["cadence_days"],
            reasoning=data["reasoning"],
            evidence_considered=data["evidence_considered"],
            weighings=form.weighings(),
            next_review_due=data["next_review_due"],
            expected_last_review_id=data["expected_last_review_id"],
            # A form without the field (an older page) leaves the note as it is.
            holding_up_note=data["holding_up_note"] if "holding_up_note" in request.POST else None,
        )
    except ReviewConflict as conflict:
        # Keep what was typed, now based on the review that won, so saving
        # again is a deliberate decision made after reading it.
        claim.refresh_from_db()
        retyped = ReviewForm(
            initial={**data, "expected_last_review_id": conflict.latest.pk},
            dissent_items=_pending_dissent(claim),
        )
        return _review_page(request, claim, form=retyped, conflict=conflict, status=409)
    except ValidationError as error:
        # Dissent may have arrived since the form was loaded: list it too.
        form = ReviewForm(request.POST, dissent_items=_pending_dissent(claim))
        form.is_valid()
        errors = error.message_dict
        if "weighings" in errors:
            # The posted form weighed everything it listed, so the rest is new.
            errors["weighings"] = [
                "New dissent arrived while you were editing: weigh it below, then save again."
            ]
        for field, field_errors in errors.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return _review_page(request, claim, form=form, status=422)
    messages.success(request, f"Review of {claim.code} saved.")
    return redirect("reviews:queue")


@editor_required
@require_POST
def trigger_fire_view(request, code, pk):
    claim = _claim_for_desk(code)
    trigger = get_object_or_404(EvidenceTrigger, pk=pk, claim=claim)
    form = TriggerFireForm(request.POST, prefix=f"trigger-{trigger.pk}")
    if not form.is_valid():
        return _review_page(request, claim, trigger_forms={trigger.pk: form}, status=422)
    try:
        trigger_fire(
            trigger=trigger,
            editor=request.user,
            note=form.cleaned_data["note"],
            url=form.cleaned_data["url"],
        )
    except TriggerAlreadyFired as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Trigger marked as fired: {claim.code} is due for review now.")
    return redirect("reviews:review", code=claim.code)


@editor_required
@require_POST
def assign(request, code):
    claim = _claim_for_desk(code)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            claim_assign(claim=claim, editor=form.cleaned_data["editor"], assigned_by=request.user)
        except ValidationError as error:
            form.add_error("editor", error.message_dict.get("editor"))
    if form.errors:
        return _review_page(request, claim, assign_form=form, status=422)
    editor = form.cleaned_data["editor"]
    who = display_name(editor) if editor else "nobody (everyone's)"
    messages.success(request, f"{claim.code} assigned to {who}.")
    return redirect("reviews:review", code=claim.code)


@editor_required
@require_http_methods(["GET", "HEAD"])
def forecast_page(request):
    """Claims due per week for the next 13 weeks, per editor, against capacity."""
    context = {"forecast": forecast(today=timezone.localdate())}
    return render(request, "reviews/forecast.html", context)


@editor_required
@require_POST
def forecast_reassign(request, pk):
    """Give the claims due while an editor is away to another editor, one
    claim.assign action each."""
    offers = away_offers(TimeAway.objects.filter(pk=pk))
    if not offers:
        raise Http404("No such time away.")
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the editor to give these claims to.")
        return redirect("reviews:forecast")
    editor = form.cleaned_data["editor"]
    for claim in offers[0].claims:
        claim_assign(claim=claim, editor=editor, assigned_by=request.user)
    messages.success(
        request,
        f"{len(offers[0].claims)} claim(s) due while {offers[0].label} is away "
        f"given to {display_name(editor)}.",
    )
    return redirect("reviews:forecast")


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def spread(request):
    """Spread a pile-up: choose the claims, see the load per week before and
    after (a dry run), then spread them, one claim.reschedule event each."""
    if request.method == "POST":
        form = SpreadForm(request.POST)
    else:
        form = SpreadForm(request.GET if "due_from" in request.GET else None)
    report = None
    if form.is_bound and form.is_valid():
        owner, unassigned = form.whose()
        report = claims_spread(
            due_from=form.cleaned_data["due_from"],
            due_to=form.cleaned_data["due_to"],
            editor=request.user,
            owner=owner,
            unassigned=unassigned,
            dry_run=request.method != "POST",
        )
        if request.method == "POST":
            messages.success(
                request,
                f"{report.moved} claim(s) moved; the busiest day now has "
                f"{report.busiest_after} claim(s) due, down from {report.busiest_before}.",
            )
            query = urlencode({name: request.POST.get(name, "") for name in form.fields})
            return redirect(f"{reverse('reviews:spread')}?{query}")
    return render(
        request,
        "reviews/spread.html",
        {
            "form": form,
            "report": report,
            "window_percent": settings.VIGIL["LOAD_WINDOW_PERCENT"],
        },
        status=422 if form.errors else 200,
    )


# Blind second reviews -----------------------------------------------------------


@editor_required
@require_http_methods(["GET", "HEAD"])
def second_reviews(request):
    """Second reviews given to me, and for admins the disagreements to settle."""
    mine = list(
        SecondReview.objects.open_for(request.user)
        .select_related("first_review__claim__article")
        .order_by("created_at", "pk")
    )
    to_settle = None
    if is_admin(request.user):
        to_settle = list(
            SecondReview.objects.to_settle()
            .select_related("first_review__claim", "first_review__editor", "reviewer")
            .order_by("completed_at", "pk")
        )
    return render(
        request, "reviews/second_reviews.html", {"mine": mine, "to_settle": to_settle}
    )


def _second_review_page(request, second, *, form=None, status=200):
    claim = second.first_review.claim
    blind = not second.is_done
    context = {
        "second": second,
        "claim": claim,
        "blind": blind,
        "form": form or VerdictForm(),
        "triggers": list(claim.triggers.order_by("position", "pk")),
        # The evidence and the dissent the first review had before it, not its verdict.
        "dissent": list(
            claim.dissent.exclude(status=Dissent.Status.REJECTED).order_by("-received_at", "-pk")[
                :SECOND_REVIEW_DISSENT_SHOWN
            ]
        ),
    }
    return render(request, "reviews/second_review.html", context, status=status)


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_review(request, pk):
    """The blind form for the editor it was given to; the settlement for an
    admin once the two verdicts differ. Nobody else sees it."""
    second = get_object_or_404(
        SecondReview.objects.select_related(
            "first_review__claim__article", "first_review__editor", "reviewer"
        ),
        pk=pk,
    )
    settling = second.is_done and not second.agrees and second.settled_at is None
    if not (
        (not second.is_done and second.reviewer_id == request.user.pk)
        or (settling and is_admin(request.user))
    ):
        raise Http404("No second review of yours here.")
    if request.method != "POST":
        return _second_review_page(request, second)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return _second_review_page(request, second, form=form, status=422)
    try:
        if settling:
            second_review_settle(second_review=second, admin=request.user, **form.cleaned_data)
        else:
            second_review_record(second_review=second, editor=request.user, **form.cleaned_data)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _second_review_page(request, second, form=form, status=422)
    code = second.first_review.claim.code
    if settling:
        messages.success(
            request, f"Settled: the review of {code} is recorded with both reasonings."
        )
    else:
        messages.success(request, f"Second review of {code} saved.")
    return redirect("reviews:second_reviews")


@editor_required
def preferences(request, *, away_form=None, status=200):
    """Pause reminders, choose the hour of the digest, give a weekly capacity
    and record time away."""
    current = EditorPreference.objects.filter(user=request.user).first() or EditorPreference(
        user=request.user
    )
    posted = request.method == "POST" and away_form is None
    form = EditorPreferenceForm(request.POST if posted else None, instance=current)
    if posted and form.is_valid():
        editor_preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, "Your reminder settings are saved.")
        return redirect("reviews:preferences")
    today = timezone.localdate()
    context = {
        "form": form,
        "preference": current,
        "due_soon_days": settings.VIGIL["DUE_SOON_DAYS"],
        "time_away": list(TimeAway.objects.filter(user=request.user).not_over(today)),
        "away_form": away_form or TimeAwayForm(),
        "today": today,
    }
    return render(request, "reviews/preferences.html", context, status=status)


@editor_required
@require_POST
def time_away_add_view(request):
    form = TimeAwayForm(request.POST)
    if not form.is_valid():
        return preferences(request, away_form=form, status=422)
    away = time_away_add(user=request.user, **form.cleaned_data)
    messages.success(
        request,
        f"Away {away.starts_on:%d %b %Y} to {away.ends_on:%d %b %Y}: your reminders pause "
        "then, and the forecast offers your claims due then to others.",
    )
    return redirect("reviews:preferences")


@editor_required
@require_POST
def time_away_remove_view(request, pk):
    if time_away_remove(user=request.user, pk=pk):
        messages.success(request, "Time away removed.")
    return redirect("reviews:preferences")
