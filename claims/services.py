import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from vigil.actions import ADMIN, EDITOR, action
from vigil.models import Event
from vigil.roles import display_name, is_editor

from . import scheduling
from .models import Claim, ClaimCodeCounter, EvidenceTrigger, Verdict
from .scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS, cadence_is_valid, next_due

logger = logging.getLogger(__name__)


def claim_code_allocate(*, prefix=None):
    """Hand out the next public code for `prefix` (e.g. AM-061). Codes are never
    reused: the counter only moves forward, whatever happens to old claims."""
    prefix = prefix or settings.VIGIL["CLAIM_CODE_PREFIX"]
    with transaction.atomic():
        ClaimCodeCounter.objects.get_or_create(prefix=prefix)
        counter = ClaimCodeCounter.objects.select_for_update().get(prefix=prefix)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"{prefix}-{counter.last_number:0{settings.VIGIL['CLAIM_CODE_DIGITS']}d}"


@action("claim.create", role=EDITOR, actor="actor")
def claim_create(
    *,
    actor,
    article,
    statement,
    verdict,
    short_statement="",
    cadence_days=60,
    is_primary=False,
    holding_up_note="",
    triggers=(),
    next_review_due=None,
    last_reviewed_on=None,
    assigned_editor=None,
    prefix=None,
    record,
):
    """Create a claim under a fresh code, with its evidence triggers."""
    start = last_reviewed_on or timezone.localdate()
    claim = Claim.objects.create(
        code=claim_code_allocate(prefix=prefix),
        article=article,
        statement=statement,
        short_statement=short_statement,
        verdict=verdict,
        cadence_days=cadence_days,
        is_primary=is_primary,
        holding_up_note=holding_up_note,
        last_reviewed_on=last_reviewed_on,
        next_review_due=next_review_due or start + datetime.timedelta(days=cadence_days),
        assigned_editor=assigned_editor,
    )
    EvidenceTrigger.objects.bulk_create(
        EvidenceTrigger(claim=claim, text=text, position=position)
        for position, text in enumerate(triggers)
    )
    record.touch(claim)
    record.say(f"{claim.code} created: {claim.get_verdict_display()}, due {claim.next_review_due:%d %b %Y}")
    return claim


def claim_make_due(claim, *, on):
    """Make a claim due for review on `on` (a fired trigger, an approved
    rewrite). A claim already due earlier keeps its date: never less late.
    Returns True if the date moved. Callers hold the claim's row lock."""
    due = scheduling.due_now(claim.next_review_due, on)
    if due == claim.next_review_due:
        return False
    claim.next_review_due = due
    # updated_at too: the API's changed_since follows it.
    claim.save(update_fields=["next_review_due", "updated_at"])
    return True


class ScheduleChanged(Exception):
    """The claim's due date moved since the caller planned to move it."""


@action("claim.reschedule", role=EDITOR, actor="editor")
def claim_reschedule(*, claim, editor, due_on, expected_due=None, reason, record):
    """Move a claim's next review to `due_on`, 30–90 days after the day its
    schedule counts from and not in the past (spreading a pile-up). Refuses
    with ScheduleChanged if the due date is no longer `expected_due` (a
    review or a fired trigger got there first): nothing is written then."""
    claim = (
        Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=claim.pk)
    )
    before = claim.next_review_due
    if expected_due is not None and before != expected_due:
        raise ScheduleChanged(
            f"{claim.code} is now due {before:%d %b %Y}, not {expected_due:%d %b %Y}."
        )
    today = timezone.localdate()
    base = claim.schedule_base
    if due_on < today or not cadence_is_valid((due_on - base).days):
        earliest = max(base + datetime.timedelta(days=CADENCE_MIN_DAYS), today)
        latest = base + datetime.timedelta(days=CADENCE_MAX_DAYS)
        raise ValidationError(
            {"due_on": f"{claim.code} may be due from {earliest:%d %b %Y} to {latest:%d %b %Y}."}
        )
    claim.next_review_due = due_on
    claim.save(update_fields=["next_review_due", "updated_at"])
    record.touch(claim)
    record.say(f"{claim.code} rescheduled ({reason}): due {before:%d %b %Y} → {due_on:%d %b %Y}")
    return claim


class TriggerAlreadyFired(Exception):
    pass


@action("trigger.fire", role=EDITOR, actor="editor")
def trigger_fire(*, trigger, editor, note, url="", record):
    """Mark an evidence trigger as fired: the claim becomes due for review now
    and rises in the queue. A claim already overdue keeps its earlier date, so
    firing never makes it look less late."""
    # Claim row first, as review_record does: one lock order, no deadlocks.
    claim = Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=trigger.claim_id)
    trigger = EvidenceTrigger.objects.select_for_update().get(pk=trigger.pk)
    if trigger.fired_at is not None:
        fired_on = timezone.localtime(trigger.fired_at)
        raise TriggerAlreadyFired(
            f"This trigger was already marked as fired on {fired_on:%d %b %Y}."
        )
    trigger.fired_at = timezone.now()
    trigger.fired_by = editor
    trigger.fired_note = note
    trigger.fired_url = url
    trigger.save(update_fields=["fired_at", "fired_by", "fired_note", "fired_url"])
    claim_make_due(claim, on=timezone.localdate())
    record.touch(claim)
    record.say(f"Fired “{trigger.text[:120]}”: {note[:200]}")
    return trigger


@action("claim.assign", role=EDITOR, actor="assigned_by")
def claim_assign(*, claim, editor, assigned_by, record):
    """Give a claim an owning editor, or None to make it everyone's again."""
    if editor is not None and not is_editor(editor):
        raise ValidationError({"editor": f"{editor.get_username()} is not an editor."})
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("article", "assigned_editor")
        .get(pk=claim.pk)
    )
    before = claim.assigned_editor
    claim.assigned_editor = editor
    claim.save(update_fields=["assigned_editor", "updated_at"])
    record.touch(claim)
    record.say(
        f"Assigned {claim.code}: {display_name(before) if before else 'nobody'} → "
        f"{display_name(editor) if editor else 'nobody'}"
    )
    return claim


class PublicationRefused(Exception):
    """A lifecycle step that did not happen; the message says why."""


class DraftConflict(Exception):
    """Someone else saved the draft after this form was loaded."""

    def __init__(self, *, article, latest):
        self.article = article
        self.latest = latest
        if latest is None:
            super().__init__("This draft changed while you were editing; your text was not saved.")
            return
        at = timezone.localtime(latest.at)
        super().__init__(
            f"{latest.actor_name} saved this draft at {at:%H:%M} while you were editing; "
            f"your text was not saved and is kept below. They changed: {latest.summary}"
        )


@dataclass
class ClaimDraft:
    """One claim as the drafting form gives it, in order (the first is primary)."""

    statement: str
    short_statement: str = ""
    cadence_days: int = 60
    holding_up_note: str = ""
    triggers: list = field(default_factory=list)
    verdict: str = Verdict.PARTIAL
    pk: int | None = None


# Fields of the article a desk save may set while it is unpublished.
DRAFT_FIELDS = ("title", "slug", "dek", "body_markdown", "section", "pillar", "drafted_by", "cover_alt")
EDITABLE_STATUSES = (Article.Status.DRAFT, Article.Status.SUBMITTED)


def publication_gaps(article, claims):
    """What `article` still lacks before it may be published, as the desk says it.
    `claims` are its claims with their triggers."""
    missing = []
    primary = next((claim for claim in claims if claim.is_primary), None)
    if primary is None:
        missing.append("a primary claim")
    if article.section_id is None:
        missing.append("a section")
    if article.pillar_id is None:
        missing.append("a pillar")
    if article.cover and not article.cover_alt.strip():
        missing.append("alt text for the cover")
    if primary is not None and not list(primary.triggers.all()):
        missing.append("at least one evidence trigger on the primary claim")
    return missing


def _refuse_gaps(article, claims, doing):
    missing = publication_gaps(article, claims)
    if missing:
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        raise PublicationRefused(f"This article cannot be {doing} yet: add {listed}.")


def _locked_claims(article):
    return list(
        Claim.objects.select_for_update(of=("self",)).filter(article=article).prefetch_related("triggers")
    )


def _latest_draft_event(article):
    return (
        Event.objects.touching("article", article.slug).filter(action="article.draft").newest_first().first()
    )


@action("article.draft", role=EDITOR, actor="editor")
def article_draft_save(*, editor, article=None, fields, claims, cover=None, expected_version=None, record):
    """Create or change an unpublished article and its claims in one step.

    `fields` holds DRAFT_FIELDS; `cover` is a new upload, False to remove the
    cover, None to keep it. `claims` is the ordered list of ClaimDraft: the
    first is the primary claim, claims left out are removed, new ones get
    their code now. Their first due date is set at publication; until then it
    is a placeholder a cadence from today. A save from a form older than the
    draft (`expected_version`) is refused with what the other person changed.
    """
    creating = article is None
    if creating:
        article = Article(status=Article.Status.DRAFT)
        before = {}
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status not in EDITABLE_STATUSES:
            raise PublicationRefused(
                f"This article is {article.get_status_display().lower()}: "
                + ("send it back to draft before changing it." if article.status == Article.Status.SCHEDULED
                   else "its text changes only through a correction or a rewrite.")
            )
        if expected_version is not None and int(expected_version) != article.draft_version:
            raise DraftConflict(article=article, latest=_latest_draft_event(article))
        before = {name: getattr(article, name) for name in DRAFT_FIELDS}
    for name in DRAFT_FIELDS:
        setattr(article, name, fields[name])
    if cover is False:
        article.cover = ""
    elif cover is not None:
        article.cover = cover
    article.draft_version += 1
    article.save()
    changed = [name for name in DRAFT_FIELDS if before.get(name) != getattr(article, name)]
    if cover is not None:
        changed.append("cover")

    existing = {claim.pk: claim for claim in Claim.objects.filter(article=article)}
    kept = {spec.pk for spec in claims if spec.pk in existing}
    removed = [claim for pk, claim in existing.items() if pk not in kept]
    for claim in removed:
        claim.delete()
    # No two primaries even for a moment: the database holds one per article.
    Claim.objects.filter(article=article, is_primary=True).update(is_primary=False)
    today = timezone.localdate()
    codes = []
    for position, spec in enumerate(claims):
        values = {
            "statement": spec.statement.strip(),
            "short_statement": spec.short_statement.strip(),
            "cadence_days": int(spec.cadence_days),
            "holding_up_note": spec.holding_up_note.strip(),
            "verdict": spec.verdict,
            "is_primary": position == 0,
        }
        triggers = [text.strip() for text in spec.triggers if text.strip()]
        if spec.pk in existing:
            claim = existing[spec.pk]
            if any(getattr(claim, name) != value for name, value in values.items()) or [
                trigger.text for trigger in claim.triggers.all()
            ] != triggers:
                changed.append(claim.code)
            for name, value in values.items():
                setattr(claim, name, value)
            claim.next_review_due = next_due(today, claim.cadence_days)
            claim.save()
            claim.triggers.all().delete()
            EvidenceTrigger.objects.bulk_create(
                EvidenceTrigger(claim=claim, text=text, position=order) for order, text in enumerate(triggers)
            )
        else:
            claim = claim_create(actor=editor, article=article, triggers=triggers, **values)
            changed.append(f"{claim.code} added")
        codes.append(claim.code)
    changed += [f"{claim.code} removed" for claim in removed]

    record.touch(article)
    for code in codes:
        record.touch(claim=code)
    if creating:
        record.say(f"Draft “{article.title}” started with {len(codes)} claim(s): {', '.join(codes) or 'none yet'}")
    else:
        record.say(f"Draft saved: {', '.join(changed) or 'nothing changed'}")
    return article


@action("article.submit", role=EDITOR, actor="editor")
def article_submit(*, article, editor, record):
    """Hand a draft to the admins for sign-off. Refused, with everything missing
    in one message, while it could not be published."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.DRAFT:
        raise PublicationRefused(f"Only a draft can be submitted; this article is {article.get_status_display().lower()}.")
    _refuse_gaps(article, _locked_claims(article), "submitted")
    article.status = Article.Status.SUBMITTED
    article.sent_back_reason = ""
    article.save(update_fields=["status", "sent_back_reason", "updated_at"])
    record.touch(article)
    record.say(f"“{article.title}” submitted for sign-off")
    return article


@action("article.send_back", role=ADMIN, actor="admin")
def article_send_back(*, article, admin, reason, record):
    """Return a submitted or scheduled piece to its draft, with a reason the editor sees."""
    reason = (reason or "").strip()
    if not reason:
        raise PublicationRefused("Tell the editor why it goes back to draft.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status not in (Article.Status.SUBMITTED, Article.Status.SCHEDULED):
        raise PublicationRefused(f"Only a submitted or scheduled piece can be sent back; this one is {article.get_status_display().lower()}.")
    before = article.get_status_display()
    article.status = Article.Status.DRAFT
    article.sent_back_reason = reason
    article.publish_at = None
    article.signed_off_by = ""
    article.signed_off_user = None
    article.save(update_fields=[
        "status", "sent_back_reason", "publish_at", "signed_off_by", "signed_off_user", "updated_at",
    ])
    record.touch(article)
    record.say(f"{before} → Draft: {reason[:300]}")
    return article


def _start_schedules(claims, *, article, on, record):
    """Countdowns start at publication: each claim is first due on the
    least-loaded day near a cadence after it. The piece's claims are placed
    in code order, the primary usually first; each later one's old date is
    not yet load (it is about to move), the earlier ones' new dates are."""
    unplaced = list(claims)
    for claim in claims:
        claim.article = article  # saved with its new status just before
        unplaced.remove(claim)
        claim.next_review_due = claim.proposed_due(
            base=on, cadence_days=claim.cadence_days, ignoring=unplaced
        )
        claim.save(update_fields=["next_review_due", "updated_at"])
        record.touch(claim=claim.code)


@action("article.publish", role=ADMIN, actor="admin")
def article_publish(*, article, admin, at=None, on=None, record):
    """Sign off a draft or a submitted piece: live now (dated `on`, today by
    default), or scheduled for the moment `at` when that is in the future, for
    the minute job to put live (article_go_live). Refused, with everything
    missing in one message, without a primary claim, a section, a pillar, a
    cover's alt text or an evidence trigger on the primary claim. It lives here,
    not in articles, because it sets the claims' schedules."""
    now = timezone.now()
    today = timezone.localdate(now)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status not in EDITABLE_STATUSES:
        raise PublicationRefused(
            f"Only a draft or a submitted piece can be published; this article is {article.get_status_display().lower()}."
        )
    claims = _locked_claims(article)
    _refuse_gaps(article, claims, "published")
    article.signed_off_by = display_name(admin)
    article.signed_off_user = admin
    article.sent_back_reason = ""
    if at is not None and at > now:
        article.status = Article.Status.SCHEDULED
        article.publish_at = at
        article.save(update_fields=[
            "status", "publish_at", "signed_off_by", "signed_off_user", "sent_back_reason", "updated_at",
        ])
        # Shown on the desk; set again when it goes live.
        _start_schedules(claims, article=article, on=timezone.localdate(at), record=record)
        record.touch(article)
        record.say(f"Signed off “{article.title}”, scheduled for {timezone.localtime(at):%d %b %Y %H:%M}")
        return article
    on = on or today
    if on > today:
        raise PublicationRefused("A publication date cannot be in the future: schedule it instead.")
    article.status = Article.Status.PUBLISHED
    article.published_on = on
    article.publish_at = None
    article.save(update_fields=[
        "status", "published_on", "publish_at", "signed_off_by", "signed_off_user", "sent_back_reason",
        "updated_at",
    ])
    _start_schedules(claims, article=article, on=on, record=record)
    record.touch(article, *_listed_under(article))
    record.say(f"Published “{article.title}” on {on:%d %b %Y} with {len(claims)} claim(s)")
    return article


def _listed_under(article):
    """The pillar and section whose pages (and pillar box) list a live article."""
    return [place for place in (article.pillar, article.section) if place is not None]


@action("article.go_live", role=ADMIN, actor="admin")
def article_go_live(*, article, admin, now=None, record):
    """Put a scheduled piece live on the sign-off of `admin` (who scheduled it).
    Exactly once: the conditional UPDATE lets one caller through however many
    jobs run at once; the others are refused and write nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    went_live = Article.objects.filter(
        pk=article.pk, status=Article.Status.SCHEDULED, publish_at__lte=now
    ).update(status=Article.Status.PUBLISHED, published_on=today, updated_at=now)
    if not went_live:
        raise PublicationRefused("This piece is not due to go live (already live, or not scheduled).")
    article = Article.objects.get(pk=article.pk)
    _start_schedules(_locked_claims(article), article=article, on=today, record=record)
    record.touch(article, *_listed_under(article))
    record.say(
        f"Scheduled “{article.title}” went live at {timezone.localtime(article.publish_at):%d %b %Y %H:%M}"
    )
    return article


def articles_publish_due(*, now=None):
    """The minute job: put live every scheduled piece whose moment has come.
    Returns how many went live here; a run that finds them taken does nothing."""
    now = now or timezone.now()
    due = Article.objects.filter(status=Article.Status.SCHEDULED, publish_at__lte=now).select_related(
        "signed_off_user"
    )
    published = 0
    for article in due.order_by("publish_at", "pk"):
        try:
            article_go_live(article=article, admin=article.signed_off_user, now=now)
        except (PublicationRefused, PermissionDenied) as refusal:
            logger.warning("Scheduled article %s not put live: %s", article.pk, refusal)
        else:
            published += 1
    return published
