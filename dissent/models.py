from django.conf import settings
from django.db import models
from django.db.models import Q


class DissentQuerySet(models.QuerySet):
    def unweighed(self):
        return self.filter(status=Dissent.Status.RECEIVED)

    def material(self):
        return self.filter(status=Dissent.Status.MATERIAL)

    def for_claim_page(self, claim):
        """Material dissent on a claim, oldest first, for
        templates/dissent/parts/material_dissent.html."""
        return self.material().filter(claim=claim).order_by("weighed_at", "pk")


class Dissent(models.Model):
    """A reader's reasoned disagreement with a claim. Reader text is shown only
    as escaped plain text; contact details are never shown publicly."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        MATERIAL = "material", "Weighed: material"
        NOT_MATERIAL = "not_material", "Weighed: not material"
        REJECTED = "rejected", "Rejected (spam or abuse)"

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="dissent")
    argument = models.TextField()
    sources = models.JSONField(default=list, blank=True)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    consent_to_credit = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField(auto_now_add=True)
    weighed_at = models.DateTimeField(null=True, blank=True)
    weighed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weighed_in_review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="dissent_weighed"
    )
    weighing_note = models.TextField(blank=True)
    correction_entry = models.OneToOneField(
        "corrections.CorrectionEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dissent",
    )
    # A hash of the normalised argument, to refuse repeated identical submissions.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)

    objects = DissentQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "dissent"
        indexes = [models.Index(fields=["claim", "status"], name="dissent_claim_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="received") | Q(weighed_at__isnull=False),
                name="dissent_weighed_has_time",
            )
        ]

    def __str__(self):
        return f"Dissent on {self.claim_id} ({self.get_status_display()})"

    @property
    def credit(self):
        """The name readers see, or None: credited only with consent."""
        return self.name if self.consent_to_credit and self.name else None
