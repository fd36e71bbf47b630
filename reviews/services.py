from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from claims.context_processors import REVIEWED_COUNT_KEY
from vigil.cachetags import SITE_FOOTER
from claims.models import Claim, Verdict
from claims.scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS, cadence_is_valid, next_due
from corrections.services import verdict_change_entry
from dissent.models import Dissent
from dissent.services import dissent_weigh
from vigil.actions import EDITOR, action
from vigil.roles import display_name

from .models import Review

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
    expected_last_review_id=UNCHECKED,
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

    today = timezone.localdate()
    review = Review.objects.create(
        claim=claim,
        editor=editor,
        reviewed_on=today,
        verdict_before=claim.verdict,
        verdict_after=verdict,
        cadence_days=cadence_days,
        next_review_due=next_due(today, cadence_days),
        reasoning=reasoning.strip(),
        evidence_considered=(evidence_considered or "").strip(),
    )
    for dissent in pending:
        dissent_weigh(
            dissent=dissent, material=bool(weighings[dissent.pk]), editor=editor, review=review
        )

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
