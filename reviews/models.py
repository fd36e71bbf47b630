from django.conf import settings
from django.db import models
from django.db.models import Q

from claims.models import Verdict
from claims.scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS
from vigil.models import AppendOnly, AppendOnlyQuerySet


class ReviewQuerySet(AppendOnlyQuerySet):
    def verdict_changes(self):
        """Reviews that moved a verdict on a live article, newest first."""
        return (
            self.exclude(verdict_before=models.F("verdict_after"))
            .filter(claim__article__status="published")
            .select_related("claim__article")
            .order_by("-reviewed_on", "-pk")
        )


class Review(AppendOnly):
    """An editor's dated judgement of a claim. Append-only: the claim's current
    verdict and due date follow from the latest one (reviews.services)."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="reviews")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField()
    verdict_before = models.CharField(max_length=12, choices=Verdict.choices)
    verdict_after = models.CharField(max_length=12, choices=Verdict.choices)
    cadence_days = models.PositiveSmallIntegerField()
    next_review_due = models.DateField()
    reasoning = models.TextField()
    evidence_considered = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        get_latest_by = ["reviewed_on", "pk"]
        indexes = [
            models.Index(fields=["claim", "-reviewed_on", "-id"], name="review_claim_idx"),
            models.Index(fields=["created_at"], name="review_created_idx"),
            # The home page's and the feed's recent verdict changes: a small
            # partial index instead of a scan of every review.
            models.Index(
                fields=["-reviewed_on", "-id"],
                condition=~Q(verdict_before=models.F("verdict_after")),
                name="review_verdict_change_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_days__gte=CADENCE_MIN_DAYS)
                & Q(cadence_days__lte=CADENCE_MAX_DAYS),
                name="review_cadence_30_to_90",
            ),
            models.CheckConstraint(
                condition=Q(verdict_before__in=Verdict.values)
                & Q(verdict_after__in=Verdict.values),
                name="review_verdicts_valid",
            ),
        ]

    def __str__(self):
        return f"{self.claim_id} reviewed {self.reviewed_on}"

    @property
    def verdict_changed(self):
        return self.verdict_before != self.verdict_after


class Reminder(models.Model):
    """The reminder ledger: one row per claim, due date and stage, so a due date
    is announced once per stage however often the job runs."""

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        # Overdue past the escalation threshold: owed to the admins.
        ESCALATED = "escalated", "Escalated"
        # A blind second review disagreed with the claim's review: owed to
        # the admins until one settles it.
        DISAGREED = "disagreed", "Disagreement to settle"

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    stage = models.CharField(max_length=10, choices=Stage.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "due_on", "stage"], name="one_reminder_per_claim_due_stage"
            )
        ]
        indexes = [models.Index(fields=["sent_at"], name="reminder_unsent_idx")]

    def __str__(self):
        return f"{self.claim_id} {self.stage} for {self.due_on}"


class EditorPreference(models.Model):
    """How an editor wants to be reminded."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_preference"
    )
    reminders_paused = models.BooleanField(default=False)
    digest_hour = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Hour of the day (0–23) to receive the digest; blank for any."
    )
    weekly_capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Reviews a week this editor can do; blank for not set."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_hour__isnull=True) | Q(digest_hour__lte=23),
                name="editor_digest_hour_valid",
            )
        ]

    def __str__(self):
        return f"Reminder preferences of {self.user}"


class TimeAwayQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def not_over(self, today):
        return self.filter(ends_on__gte=today)


class TimeAway(models.Model):
    """Days an editor is away: their reminders pause, and the claims due
    meanwhile are offered for reassignment on the forecast."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_away"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TimeAwayQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name_plural = "time away"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="time_away_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="time_away_dates_idx")]

    def __str__(self):
        return f"{self.user} away {self.starts_on} to {self.ends_on}"


class ReminderDelivery(models.Model):
    """One reminder owed to one editor. The digest sender claims rows with a
    conditional UPDATE (a lease), sends, then marks them sent; a sender that
    dies leaves a lease that expires, so the next run sends them instead."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient"], name="one_delivery_per_reminder_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "sent_at"], name="delivery_recipient_unsent_idx")
        ]

    def __str__(self):
        return f"{self.reminder} to {self.recipient_id}"


class SecondReviewQuerySet(models.QuerySet):
    def open_for(self, editor):
        """Blind second reviews waiting on `editor`."""
        return self.filter(reviewer=editor, completed_at__isnull=True)

    def to_settle(self):
        """Done, disagreeing with the first verdict, and not yet settled by an admin."""
        return self.filter(completed_at__isnull=False, settled_at__isnull=True).exclude(
            verdict=models.F("first_review__verdict_after")
        )

    def agreement_pairs(self, *, since):
        """(first verdict, second verdict) of the second reviews done since `since`."""
        return self.filter(completed_at__gte=since).values_list(
            "first_review__verdict_after", "verdict"
        )


class SecondReview(models.Model):
    """A blind second review of a sampled review: another editor judges the
    claim without seeing the first verdict. A disagreement goes to an admin,
    whose settlement is recorded as a review of its own (reviews.services)."""

    first_review = models.OneToOneField(
        Review, on_delete=models.PROTECT, related_name="second_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_reviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    reasoning = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_reviews_settled",
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_review = models.OneToOneField(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="settles"
    )

    objects = SecondReviewQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["reviewer", "completed_at"], name="second_review_open_idx"),
            models.Index(fields=["completed_at"], name="second_review_done_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                name="second_review_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | ~Q(verdict=""),
                name="second_review_done_has_verdict",
            ),
        ]

    def __str__(self):
        return f"Second review of {self.first_review}"

    @property
    def is_done(self):
        return self.completed_at is not None

    @property
    def agrees(self):
        return self.is_done and self.verdict == self.first_review.verdict_after


# Followers' models live beside their code (reviews/followers/models.py).
from .followers.models import (  # noqa: E402, F401
    EventFanOut,
    Subscription,
    WebhookDelivery,
    WebhookEndpoint,
)
