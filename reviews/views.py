from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from claims.models import Claim, EvidenceTrigger
from claims.services import TriggerAlreadyFired, claim_assign, trigger_fire
from claims.timeline import build_timeline
from dissent.models import Dissent
from vigil.conditional import conditional
from vigil.fragments import render_page_or_fragment
from vigil.cachetags import shows
from vigil.pagecache import public_page
from vigil.pagination import KEYSET_PARAMS, KeysetPaginator
from vigil.roles import display_name, editor_required

from .conditional import claim_page_stamps
from .forms import AssignForm, QueueFilterForm, ReviewForm, TriggerFireForm
from .models import EditorPreference, Review
from .preferences import EditorPreferenceForm, editor_preference_save
from .queue import QUEUE_ORDER, review_queue
from .services import ReviewConflict, review_record

QUEUE_PAGE_SIZE = 25
REVIEW_HISTORY_SHOWN = 10
# The claim page shows this many latest reviews; the rest are a page away.
CLAIM_PAGE_REVIEWS = 10


# The public claim page: a claim's verdict and review history ----------------


@public_page(params=KEYSET_PARAMS)  # older reviews are a keyset page away
@conditional("claim", claim_page_stamps)
def claim_detail(request, code):
    """A claim's public page: badge, verdict-history timeline, the latest
    reviews with their reasoning (older ones a keyset page away), and the
    material dissent weighed."""
    claim = get_object_or_404(
        Claim.objects.select_related("article__pillar", "article__section").filter(
            article__status__in=["published", "retired"]
        ),
        code=code,
    )
    # The chart needs every review's day and verdict, and nothing else of them.
    history = list(
        claim.reviews.order_by("reviewed_on", "pk").values_list("reviewed_on", "verdict_after")
    )
    reviews = KeysetPaginator(
        claim.reviews.select_related("editor").prefetch_related(
            Prefetch("dissent_weighed", queryset=Dissent.objects.material(), to_attr="material_dissent")
        ),
        CLAIM_PAGE_REVIEWS,
        order=("-reviewed_on", "-pk"),
    ).page(request.GET)
    material_dissent = list(
        claim.dissent.material()
        .filter(weighed_in_review__isnull=True)
        .order_by("-weighed_at", "-pk")
    )
    shows(request, claim, claim.article.pillar, claim.article.section)
    context = {
        "claim": claim,
        "reviews": reviews,  # newest first; the chart reads left to right
        "review_count": len(history),
        "timeline": build_timeline(history),
        "material_dissent": material_dissent,
    }
    return render(request, "reviews/claim_detail.html", context)


# The editor desk -------------------------------------------------------------


@editor_required
@require_http_methods(["GET", "HEAD"])
def queue(request):
    """Overdue claims (most overdue first), then those due within the window."""
    today = timezone.localdate()
    form = QueueFilterForm(request.GET)
    claims = review_queue(on=today)
    form.is_valid()  # a bad value is reported by its field; the valid ones still apply
    claims = form.filter(claims, user=request.user)
    page = KeysetPaginator(claims, QUEUE_PAGE_SIZE, order=QUEUE_ORDER).page(request.GET)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "window_days": settings.VIGIL["QUEUE_WINDOW_DAYS"],
    }
    return render_page_or_fragment(request, "reviews/queue.html", "queue-table", context)


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
def preferences(request):
    """Pause reminders or choose the hour of the digest."""
    current = EditorPreference.objects.filter(user=request.user).first() or EditorPreference(
        user=request.user
    )
    form = EditorPreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        editor_preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, "Your reminder settings are saved.")
        return redirect("reviews:preferences")
    return render(
        request,
        "reviews/preferences.html",
        {"form": form, "preference": current, "due_soon_days": settings.VIGIL["DUE_SOON_DAYS"]},
    )
