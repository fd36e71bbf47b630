import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThan
from django.utils import timezone

from vigil.links import reverse  # remembered per process: listings call it per row
from vigil.rendering import render_markdown

from .due_load import LOAD_STATUSES
from .scheduling import (
    CADENCE_MAX_DAYS,
    CADENCE_MIN_DAYS,
    Countdown,
    DueStatus,
    due_soon_until,
    load_window,
    proposed_due,
    schedule_base,
)



class Verdict(models.TextChoices):
    HOLDING = "holding", "Holding"
    PARTIAL = "partial", "Partial"
    NOT_HOLDING = "not_holding", "Not holding"


class ClaimCodeCounter(models.Model):
    """The last number handed out per prefix, so a code is never reused even
    when the claim that carried it is gone."""

    prefix = models.CharField(max_length=10, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}: {self.last_number}"


class ClaimQuerySet(models.QuerySet):
    def active(self):
        """Claims of live articles: the ones that must keep being reviewed."""
        return self.filter(article__status="published")

    def overdue(self, *, on=None):
        return self.with_due_status(DueStatus.OVERDUE, on=on)

    def escalated(self, *, on=None):
        """Claims overdue by more than VIGIL["ESCALATE_AFTER_DAYS"] on `on`:
        the admins hear of them, in their digest and atop their queue."""
        on = on or timezone.localdate()
        days = settings.VIGIL["ESCALATE_AFTER_DAYS"]
        return self.filter(next_review_due__lt=on - datetime.timedelta(days=days))

    def due(self, *, on=None, within_days=None):
        """Overdue claims and those due within `within_days` of `on` (by default
        the "due soon" window)."""
        on = on or timezone.localdate()
        if within_days is None:
            within_days = settings.VIGIL["DUE_SOON_DAYS"]
        return self.filter(next_review_due__lte=due_soon_until(on, within_days))

    def load_of(self, editor_id):
        """The claims an editor's claim is balanced against: that editor's,
        or every claim for an unassigned one (it is everyone's)."""
        return self if editor_id is None else self.filter(assigned_editor_id=editor_id)

    def due_per_day(self, start, end):
        """{date: claims of live or scheduled pieces due that day}, `start` to `end`:
        one grouped read of the (editor, due date) index. The same numbers as
        the kept counts the proposal reads (DueLoad), counted the long way."""
        return dict(
            # A scheduled piece's claims will fall due as surely as a live one's.
            self.filter(article__status__in=LOAD_STATUSES)
            .filter(next_review_due__range=(start, end))
            .order_by()
            .values("next_review_due")
            .annotate(due=Count("pk"))
            .values_list("next_review_due", "due")
        )

    def reviewed(self):
        return self.filter(last_reviewed_on__isnull=False)

    def with_due_status(self, status, *, on=None, due_soon_days=None):
        """Claims whose due status (Countdown.status, the badge's) is `status` on `on`."""
        on = on or timezone.localdate()
        if due_soon_days is None:
            due_soon_days = settings.VIGIL["DUE_SOON_DAYS"]
        soon = due_soon_until(on, due_soon_days)
        if status == DueStatus.OVERDUE:
            return self.filter(next_review_due__lt=on)
        if status == DueStatus.DUE_SOON:
            return self.filter(next_review_due__gte=on, next_review_due__lte=soon)
        if status == DueStatus.SCHEDULED:
            return self.filter(next_review_due__gt=soon)
        raise ValueError(f"No due status {status!r}: one of {', '.join(DueStatus)}.")


# "Under 75 characters": Fact Check Explorer shows a claimReviewed that short whole.
SHORT_STATEMENT_MAX_CHARS = 74


class DueLoadQuerySet(models.QuerySet):
    def of(self, editor_id):
        """The counts an editor's claim is balanced against: that editor's, or
        every claim's (editor None) for an unassigned one (it is everyone's)."""
        if editor_id is None:
            return self.filter(editor__isnull=True)
        return self.filter(editor_id=editor_id)

    def per_day(self, start, end):
        """{date: claims due}, `start` to `end`: one row a day at most."""
        return dict(self.filter(day__range=(start, end)).exclude(due=0).values_list("day", "due"))


class DueLoad(models.Model):
    """How many claims of live or scheduled pieces fall due on `day`: those of
    `editor`, or every claim when `editor` is None. The same numbers as
    Claim.objects.load_of(editor).due_per_day(), read from one row a day
    instead of every claim. The database keeps them (claims/due_load.py):
    no code writes here but the recount."""

    # No database constraint: a deleted editor's rows are emptied by the
    # claims it lets go of (SET_NULL), and left at zero.
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    day = models.DateField()
    due = models.IntegerField(default=0)

    objects = DueLoadQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["editor", "day"], condition=Q(editor__isnull=False), name="due_load_editor_day"
            ),
            models.UniqueConstraint(
                fields=["day"], condition=Q(editor__isnull=True), name="due_load_everyone_day"
            ),
        ]

    def __str__(self):
        return f"{self.editor_id or 'everyone'} {self.day}: {self.due}"


class Claim(models.Model):
    """One checkable statement an article makes, tracked under a public code."""

    code = models.CharField(max_length=20, unique=True, editable=False)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="claims"
    )
    is_primary = models.BooleanField(default=False)
    statement = models.TextField()
    # What fact-check listings (Fact Check Explorer) show whole: the ClaimReview's claimReviewed.
    short_statement = models.CharField(
        "short form",
        max_length=SHORT_STATEMENT_MAX_CHARS,
        blank=True,
        help_text=(
            f"The claim in under {SHORT_STATEMENT_MAX_CHARS + 1} characters, for fact-check "
            "listings. Leave blank when the statement is that short already."
        ),
    )
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.PARTIAL)
    cadence_days = models.PositiveSmallIntegerField(
        default=60, help_text=f"Days between reviews ({CADENCE_MIN_DAYS}–{CADENCE_MAX_DAYS})."
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    # Written by the review that moves the verdict (reviews.services.review_record),
    # so the ClaimReview's dateModified costs no query over the claim's reviews.
    verdict_changed_on = models.DateField(null=True, blank=True, editable=False)
    next_review_due = models.DateField()
    holding_up_note = models.TextField(blank=True, help_text="Markdown.")
    holding_up_html = models.TextField(editable=False, blank=True)
    assigned_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
        help_text="Unassigned claims are every editor's.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["next_review_due"], name="claim_due_idx"),
            # The load counted from the claims (due_per_day, the due_load
            # check): from the index alone, joined to the articles by the id it carries.
            models.Index(fields=["next_review_due", "article"], name="claim_due_article_idx"),
            # The ledger's default order: a LIMIT reads just one page, even when
            # thousands of claims fall due on the same day.
            models.Index(fields=["next_review_due", "code"], name="claim_ledger_order_idx"),
            models.Index(fields=["verdict", "next_review_due"], name="claim_verdict_due_idx"),
            models.Index(fields=["assigned_editor", "next_review_due"], name="claim_editor_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_days__gte=CADENCE_MIN_DAYS)
                & Q(cadence_days__lte=CADENCE_MAX_DAYS),
                name="claim_cadence_30_to_90",
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="claim_verdict_valid"
            ),
            # SQLite does not hold a varchar's length: the check does, everywhere.
            models.CheckConstraint(
                condition=LessThan(Length("short_statement"), SHORT_STATEMENT_MAX_CHARS + 1),
                name="claim_short_statement_under_75",
            ),
            models.UniqueConstraint(
                fields=["article"], condition=Q(is_primary=True), name="one_primary_claim_per_article"
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.holding_up_html = render_markdown(self.holding_up_note)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "holding_up_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The claim page is its review history (reviews/views.py).
        return reverse("reviews:claim", kwargs={"code": self.code})

    def event_subjects(self):
        # The article's slug too: its page shows the claim's badge.
        return [("claim", self.code), ("article", self.article.slug)]

    def countdown(self, today=None):
        return Countdown.between(today or timezone.localdate(), self.next_review_due)

    @property
    def schedule_base(self):
        """The day this claim's schedule counts from (claims.scheduling.schedule_base)."""
        return schedule_base(
            last_reviewed_on=self.last_reviewed_on,
            published_on=self.article.published_on,
            due_on=self.next_review_due,
            cadence_days=self.cadence_days,
        )

    def proposed_due(self, *, base, cadence_days, ignoring=()):
        """The least-loaded day near `cadence_days` after `base` for this claim's
        next review, counting the other claims due then for its editor (or for
        everyone, if it is unassigned), except those in `ignoring` (claims of
        the same piece whose dates are about to be set too)."""
        shortest, longest = load_window(cadence_days, settings.VIGIL["LOAD_WINDOW_PERCENT"])
        load = DueLoad.objects.of(self.assigned_editor_id).per_day(
            base + datetime.timedelta(days=shortest), base + datetime.timedelta(days=longest)
        )
        # The counts include this claim where it is due now, and `ignoring`
        # are claims of this claim's own piece, counted or not with it.
        if self.article.status in LOAD_STATUSES:
            for moving in (self, *ignoring):
                same_load = self.assigned_editor_id in (None, moving.assigned_editor_id)
                if same_load and load.get(moving.next_review_due):
                    load[moving.next_review_due] -= 1
        return proposed_due(
            base=base,
            cadence_days=cadence_days,
            load=load,
            window_percent=settings.VIGIL["LOAD_WINDOW_PERCENT"],
        )

    def due_status(self, today=None):
        """Overdue, due soon or scheduled, as the badge and the API say it."""
        return self.countdown(today).status(settings.VIGIL["DUE_SOON_DAYS"])


class EvidenceTrigger(models.Model):
    """An item of "what would move the claim". Firing one makes the claim due now."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="triggers")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    fired_at = models.DateTimeField(null=True, blank=True)
    fired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fired_note = models.TextField(blank=True)
    fired_url = models.URLField(blank=True, max_length=500)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text[:80]

    @property
    def has_fired(self):
        return self.fired_at is not None
