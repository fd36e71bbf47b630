from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.links import reverse  # remembered per process: listings call it per row
from vigil.models import AppendOnly, AppendOnlyQuerySet


# The log's order; the pk settles a day's ties (and keys its keyset pages).
NEWEST_FIRST = ("-entry_on", "-pk")


class CorrectionEntryQuerySet(AppendOnlyQuerySet):
    def public(self):
        return self.filter(article__status__in=["published", "retired"])

    def newest_first(self):
        return self.order_by(*NEWEST_FIRST)



class CorrectionEntry(AppendOnly):
    """A dated, append-only line of an article's correction log. Its text alone
    changes, through an amendment (corrections.services.correction_entry_amend)."""

    amendable_fields = frozenset({"text"})

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"
        REWRITE = "rewrite", "Rewrite"
        VERDICT_CHANGE = "verdict_change", "Verdict change"
        MATERIAL_DISSENT = "material_dissent", "Material dissent"
        RETIREMENT = "retirement", "Retirement"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="correction_entries"
    )
    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction_entries",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    entry_on = models.DateField()
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CorrectionEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-entry_on", "-pk"]
        verbose_name_plural = "correction entries"
        indexes = [
            models.Index(fields=["-entry_on", "-id"], name="correction_log_idx"),
            models.Index(fields=["created_at"], name="correction_created_idx"),
            models.Index(fields=["article", "-entry_on"], name="correction_article_idx"),
            models.Index(fields=["kind", "-entry_on"], name="correction_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[
                    "correction", "clarification", "update", "rewrite",
                    "verdict_change", "material_dissent", "retirement",
                ]),
                name="correction_kind_valid",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.entry_on}: {self.text[:60]}"

    def get_absolute_url(self):
        return f"{reverse('articles:detail', kwargs={'slug': self.article.slug})}#correction-{self.pk}"


class Amendment(models.Model):
    """An admin's amendment of an entry's text; the text it replaced stays visible to staff."""

    entry = models.ForeignKey(CorrectionEntry, on_delete=models.PROTECT, related_name="amendments")
    previous_text = models.TextField()
    new_text = models.TextField()
    reason = models.TextField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at"]


class SignOffRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(answered_at__isnull=True)

    def shown_to(self, *, staff):
        """The one rule for who reads a sign-off question: the publication reviews
        itself in the open, so readers see every question (and its answer) that the
        editor did not mark internal; staff see them all."""
        return self if staff else self.filter(internal=False)


class SignOffRequest(models.Model):
    """"REVIEW: assess whether…" — a question on an entry, open until an admin answers."""

    entry = models.OneToOneField(
        CorrectionEntry, on_delete=models.PROTECT, related_name="signoff_request"
    )
    question = models.TextField()
    # Marked by the editor who writes the question; readers never see it.
    internal = models.BooleanField(default=False)
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoff_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = SignOffRequestQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["answered_at"], name="signoff_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="signoff_answered_has_answer",
            )
        ]

    @property
    def is_open(self):
        return self.answered_at is None

    def answerable_by(self, user):
        """Who may answer: the admin it is addressed to, or a superuser."""
        return self.addressed_to_id == user.pk or (user.is_superuser and user.is_active)


class ErrorReport(models.Model):
    """A reader's report of a factual error (not dissent)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CORRECTED = "corrected", "Turned into a correction"
        DECLINED = "declined", "Declined"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="error_reports"
    )
    what_is_wrong = models.TextField()
    evidence = models.TextField(blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    correction_entry = models.ForeignKey(
        CorrectionEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
