import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.context_processors import REVIEWED_COUNT_KEY
from vigil.cachetags import SITE_FOOTER
from claims.models import Claim, Verdict
from claims.scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS, cadence_is_valid
from corrections.services import verdict_change_entry
from dissent.models import Dissent
from dissent.services import dissent_weigh
from vigil.actions import ADMIN, EDITOR, action
from vigil.roles import display_name, editors

from .agreement import sampled_for_second_review
from .models import Review, SecondReview, TimeAway

# Callers that cannot race another editor (scripts, the demo) may skip the check.
UNCHECKED = object()


class ReviewConflict(Exception):
    """Another editor reviewed the claim after this review's form was loaded."""

    def __init__(self, *, claim, latest):
        self.claim = claim
        self.latest = latest
        at = timezone.localtime(latest.created_at)
        super().__init__(
            f"{claim.code} was reviewed by {display_name(latest.editor)} at {at:%H:%M} "
            "while you were editing; your review was not saved, here is what they decided."
        )


def _latest_review(claim):
    return (
        Review.objects.filter(claim=claim)
        .select_related("editor")
        .order_by("-reviewed_on", "-pk")
        .first()
    )


@action("review.record", role=EDITOR, actor="editor")
def review_record(
    *,
    claim,
    editor,
    verdict,
    cadence_days,
    reasoning,
    evidence_considered="",
    weighings=None,
    next_review_due=None,
    expected_last_review_id=UNCHECKED,
    sample=True,
    holding_up_note=None,
    record,
):
    """Record an editor's review of a claim.

    In one transaction with the claim row locked: refuse the review if another
    editor got there first (`expected_last_review_id` is the latest review the
    form showed, None for none), validate, append the Review, weigh every
    dissent item received since the last review, move the claim's verdict and
    dates, and date a verdict change in the article's correction log.

    `weighings` maps dissent id -> True (material) / False (not material).
    `next_review_due` is the editor's choice of date, 30–90 days from today;
    without one, the least-loaded day near the cadence (Claim.proposed_due).
    A share of reviews (VIGIL["SECOND_REVIEW_PERCENT"]) is sampled for a blind
    second review by another editor; `sample=False` for an admin's settlement.
    `holding_up_note`, when given, replaces the claim's note, so the page no
    longer says what it said before the review.
    Raises ReviewConflict or ValidationError; nothing is written then.
    """
    weighings = weighings or {}
    # The lock serialises reviews of one claim: the second waits here, then
    # sees the first one's review and is refused below.
    claim = Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=claim.pk)
    latest = _latest_review(claim)
    if expected_last_review_id is not UNCHECKED:
        latest_id = latest.pk if latest else None
        if latest_id != (int(expected_last_review_id) if expected_last_review_id else None):
            if latest is None:
                # Reviews are never deleted, so only a tampered form gets here.
                raise ValidationError(
                    {NON_FIELD_ERRORS: "This form does not match the claim's history: reload it."}
                )
            raise ReviewConflict(claim=claim, latest=latest)

    errors = {}
    if verdict not in Verdict.values:
        errors["verdict"] = "Choose Holding, Partial or Not holding."
    try:
        cadence_days = int(cadence_days)
    except (TypeError, ValueError):
        errors["cadence_days"] = "Give the cadence as a whole number of days."
    else:
        if not cadence_is_valid(cadence_days):
            errors["cadence_days"] = (
                f"The cadence must be between {CADENCE_MIN_DAYS} and {CADENCE_MAX_DAYS} days."
            )
    today = timezone.localdate()
    if next_review_due is not None and not cadence_is_valid((next_review_due - today).days):
        errors["next_review_due"] = (
            f"The next review must be {CADENCE_MIN_DAYS} to {CADENCE_MAX_DAYS} days from today "
            f"({today + datetime.timedelta(days=CADENCE_MIN_DAYS):%d %b %Y} to "
            f"{today + datetime.timedelta(days=CADENCE_MAX_DAYS):%d %b %Y})."
        )
    if not (reasoning or "").strip():
        errors["reasoning"] = "Say why: the reasoning is published with the review."
    pending = list(
        Dissent.objects.filter(claim=claim, status=Dissent.Status.RECEIVED)
        .select_for_update()
        .order_by("received_at", "pk")
    )
    weighings = {int(key): value for key, value in weighings.items()}
    unweighed = [dissent for dissent in pending if weighings.get(dissent.pk) is None]
    if unweighed:
        errors["weighings"] = (
            f"Weigh every dissent item received since the last review "
            f"({len(unweighed)} not weighed) as material or not material."
        )
    if errors:
        raise ValidationError(errors)

    if next_review_due is None:
        next_review_due = claim.proposed_due(base=today, cadence_days=cadence_days)
    review = Review.objects.create(
        claim=claim,
        editor=editor,
        reviewed_on=today,
        verdict_before=claim.verdict,
        verdict_after=verdict,
        cadence_days=cadence_days,
        next_review_due=next_review_due,
        reasoning=reasoning.strip(),
        evidence_considered=(evidence_considered or "").strip(),
    )
    for dissent in pending:
        dissent_weigh(
            dissent=dissent, material=bool(weighings[dissent.pk]), editor=editor, review=review
        )
    if sample and sampled_for_second_review(review.pk, settings.VIGIL["SECOND_REVIEW_PERCENT"]):
        second = _second_review_assign(review)
        if second is not None:
            record.say(f"Sampled for a blind second review by {display_name(second.reviewer)}")

    first_review = claim.last_reviewed_on is None
    claim.verdict = verdict
    claim.cadence_days = cadence_days
    claim.last_reviewed_on = today
    claim.next_review_due = review.next_review_due
    if review.verdict_changed:
        claim.verdict_changed_on = today
    note_changed = holding_up_note is not None and holding_up_note.strip() != claim.holding_up_note
    if note_changed:
        claim.holding_up_note = holding_up_note.strip()
    claim.save(
        update_fields=[
            "verdict",
            "verdict_changed_on",
            "cadence_days",
            "last_reviewed_on",
            "next_review_due",
            "updated_at",
            *(["holding_up_note"] if note_changed else []),
        ]
    )

    if review.verdict_changed and claim.article.is_published:
        verdict_change_entry(
            claim=claim,
            editor=editor,
            verdict_before=Verdict(review.verdict_before),
            verdict_after=Verdict(verdict),
            reasoning=review.reasoning,
            record=record,
        )

    record.touch(claim)
    if first_review:
        # The footer of every page counts the claims reviewed.
        record.touch(site=SITE_FOOTER)
    record.say(
        f"{claim.code} reviewed: {Verdict(review.verdict_before).label} → {Verdict(verdict).label}; "
        f"cadence {cadence_days} days, next review {review.next_review_due:%d %b %Y}"
    )
    if note_changed:
        record.say(f"Holding-up note now: {claim.holding_up_note[:300]}")
    record.on_commit(lambda: cache.delete(REVIEWED_COUNT_KEY))
    return review


# Blind second reviews ----------------------------------------------------------


def _second_review_assign(review):
    """Give a sampled review to another editor for a blind second review: the
    one with the fewest open, who is not away today. None if there is nobody."""
    today = timezone.localdate()
    open_count = (
        SecondReview.objects.filter(reviewer=OuterRef("pk"), completed_at__isnull=True)
        .order_by()
        .values("reviewer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    reviewer = (
        editors()
        .exclude(pk=review.editor_id)
        .exclude(Exists(TimeAway.objects.on(today).filter(user=OuterRef("pk"))))
        .annotate(open_count=Coalesce(Subquery(open_count), 0))
        .order_by("open_count", "pk")
        .first()
    )
    if reviewer is None:
        return None
    return SecondReview.objects.create(first_review=review, reviewer=reviewer)


def _verdict_and_reasoning_errors(verdict, reasoning):
    errors = {}
    if verdict not in Verdict.values:
        errors["verdict"] = "Choose Holding, Partial or Not holding."
    if not (reasoning or "").strip():
        errors["reasoning"] = "Say why: the reasoning is kept with both verdicts."
    return errors


@action("second_review.record", role=EDITOR, actor="editor")
def second_review_record(*, second_review, editor, verdict, reasoning, record):
    """The second editor's blind verdict. Agreement closes it; a different
    verdict goes to an admin to settle. Only the editor it was given to may
    record it, once."""
    second = (
        SecondReview.objects.select_for_update(of=("self",))
        .select_related("first_review__claim__article")
        .get(pk=second_review.pk)
    )
    if second.reviewer_id != editor.pk:
        raise PermissionDenied("This blind second review was given to another editor.")
    if second.is_done:
        raise ValidationError({NON_FIELD_ERRORS: "This second review is already recorded."})
    errors = _verdict_and_reasoning_errors(verdict, reasoning)
    if errors:
        raise ValidationError(errors)
    second.verdict = verdict
    second.reasoning = reasoning.strip()
    second.completed_at = timezone.now()
    second.save(update_fields=["verdict", "reasoning", "completed_at"])
    claim = second.first_review.claim
    record.touch(claim)
    outcome = "agrees" if second.agrees else "disagrees: an admin settles it"
    record.say(
        f"Blind second review of {claim.code}: {Verdict(verdict).label} "
        f"(first: {second.first_review.get_verdict_after_display()}), {outcome}"
    )
    return second


@action("second_review.settle", role=ADMIN, actor="admin")
def second_review_settle(*, second_review, admin, verdict, reasoning, record):
    """An admin settles a disagreement between a review and its blind second
    review. The settled verdict is recorded as a review of the claim (and so
    is the public one), with both editors' reasoning kept in it."""
    second = (
        SecondReview.objects.select_for_update(of=("self",))
        .select_related("first_review__claim", "first_review__editor", "reviewer")
        .get(pk=second_review.pk)
    )
    if not second.is_done or second.agrees:
        raise ValidationError({NON_FIELD_ERRORS: "Only a disagreement is settled."})
    if second.settled_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: "This disagreement is already settled."})
    errors = _verdict_and_reasoning_errors(verdict, reasoning)
    if errors:
        raise ValidationError(errors)
    first = second.first_review
    claim = first.claim
    kept = (
        f"{reasoning.strip()}\n\n"
        f"Settled after a blind second review. "
        f"First review ({display_name(first.editor)}, {first.reviewed_on:%d %b %Y}): "
        f"{first.get_verdict_after_display()}. {first.reasoning}\n\n"
        f"Second review ({display_name(second.reviewer)}): "
        f"{second.get_verdict_display()}. {second.reasoning}"
    )
    settled = review_record(
        claim=claim,
        editor=admin,
        verdict=verdict,
        cadence_days=claim.cadence_days,
        reasoning=kept,
        evidence_considered=first.evidence_considered,
        sample=False,
    )
    second.settled_by = admin
    second.settled_at = timezone.now()
    second.settled_review = settled
    second.save(update_fields=["settled_by", "settled_at", "settled_review"])
    record.say(f"Settled the second review of {claim.code}: {Verdict(verdict).label}")
    return settled
