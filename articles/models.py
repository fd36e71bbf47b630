from django.conf import settings
from django.db import models
from django.db.models import F, Q

from vigil.links import reverse  # remembered per process: listings call it per row
from vigil.rendering import reading_minutes, render_markdown
from vigil.roles import is_admin

from .renditions import CoverField, validate_cover


class PillarQuerySet(models.QuerySet):
    def with_health(self, *, on):
        """Annotate how the claims of each pillar's live articles are holding up,
        and how many are overdue on `on`: one grouped query for any number of pillars."""
        live = Q(articles__status="published")
        claims = "articles__claims"
        return self.annotate(
            article_count=models.Count("articles", filter=live, distinct=True),
            holding_count=models.Count(claims, filter=live & Q(articles__claims__verdict="holding")),
            partial_count=models.Count(claims, filter=live & Q(articles__claims__verdict="partial")),
            not_holding_count=models.Count(
                claims, filter=live & Q(articles__claims__verdict="not_holding")
            ),
            overdue_count=models.Count(
                claims, filter=live & Q(articles__claims__next_review_due__lt=on)
            ),
        )


class Pillar(models.Model):
    """A topic cluster: "Part of the pillar X — N other pieces in this pillar"."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    objects = PillarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:pillar", kwargs={"slug": self.slug})

    def event_subjects(self):
        return [("pillar", self.slug)]


class Section(models.Model):
    """Where an article sits in the publication, e.g. "Understanding AI"."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})

    def event_subjects(self):
        return [("section", self.slug)]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live articles readers can find in listings (not drafts, not retired)."""
        return self.filter(status=Article.Status.PUBLISHED)

    def with_primary_claim(self):
        """Prefetch each article's claims (one extra query) so `primary_claim`
        is picked from them without asking the database again."""
        return self.prefetch_related("claims")

    def for_listing(self, *, claims=True):
        """Live articles newest first; `claims=False` leaves the primary claims
        to a page that prefetches them only for the cards it renders."""
        listing = self.published().select_related("section", "pillar").order_by("-published_on", "-pk")
        return listing.with_primary_claim() if claims else listing


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for sign-off"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    # Before publication the desk may still change anything; after it, only a
    # correction or a rewrite may.
    UNPUBLISHED = (Status.DRAFT, Status.SUBMITTED, Status.SCHEDULED)

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    dek = models.TextField("standfirst", blank=True)
    body_markdown = models.TextField("body (Markdown)")
    body_html = models.TextField(editable=False, blank=True)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    cover = CoverField(upload_to="covers/%Y/", blank=True, validators=[validate_cover])
    cover_alt = models.CharField("cover alt text", max_length=300, blank=True)
    # A draft may not have one yet; publication requires it (claims.services).
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_on = models.DateField(null=True, blank=True)
    # A scheduled piece goes live at this moment (claims.services.article_go_live).
    publish_at = models.DateTimeField(null=True, blank=True)
    revised_on = models.DateField(null=True, blank=True)
    drafted_by = models.CharField(max_length=120, blank=True)
    signed_off_by = models.CharField(max_length=120, blank=True)
    # The admin whose sign-off the beat job acts on when a scheduled piece goes live.
    signed_off_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why an admin sent the draft back; the editor sees it until the next submission.
    # Database defaults too: bulk loaders (bench/seed.py) insert rows without them.
    sent_back_reason = models.TextField(blank=True, default="", db_default="")
    # Moves on every desk save: a save from an older form is refused (claims.services).
    draft_version = models.PositiveIntegerField(default=0, db_default=0)
    redirect_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redirected_from",
        help_text="Where a retired article's URL sends readers (301).",
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_on", "-id"], name="article_listing_idx"),
            # Feeds' Last-Modified: the newest change, read from the index's end.
            models.Index(fields=["updated_at"], name="article_updated_idx"),
            models.Index(fields=["pillar", "status", "-published_on"], name="article_pillar_idx"),
            models.Index(fields=["section", "status", "-published_on"], name="article_section_idx"),
            # The minute job's scan: only scheduled pieces are in it.
            models.Index(
                fields=["publish_at"], condition=Q(status="scheduled"), name="article_publish_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(redirect_to=F("pk")), name="article_redirect_not_self"
            ),
            models.CheckConstraint(
                condition=~Q(status="retired") | Q(redirect_to__isnull=False),
                name="article_retired_has_redirect",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "scheduled"]) | Q(section__isnull=False),
                name="article_live_has_section",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="article_scheduled_has_moment",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Derived once on save, never per request.
        self.body_html = render_markdown(self.body_markdown)
        self.reading_minutes = reading_minutes(self.body_markdown)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "reading_minutes"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def event_subjects(self):
        return [("article", self.slug)]

    @property
    def primary_claim(self):
        # Listings prefetch the claims (with_primary_claim); elsewhere ask the database.
        if "claims" in getattr(self, "_prefetched_objects_cache", {}):
            return next((claim for claim in self.claims.all() if claim.is_primary), None)
        return self.claims.filter(is_primary=True).first()

    @property
    def is_retired(self):
        return self.status == self.Status.RETIRED

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_unpublished(self):
        return self.status in self.UNPUBLISHED


class Revision(models.Model):
    """An article's earlier text, kept when a rewrite replaces it. Staff only."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=300)
    dek = models.TextField(blank=True)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False, blank=True)
    replaced_on = models.DateField()
    replaced_by_rewrite = models.OneToOneField(
        "Rewrite", on_delete=models.PROTECT, null=True, blank=True, related_name="revision"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} (until {self.replaced_on:%d %b %Y})"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body_markdown)
        super().save(*args, **kwargs)


class RewriteQuerySet(models.QuerySet):
    def open(self):
        """Submitted and awaiting sign-off: readers see the banner."""
        return self.filter(status=Rewrite.Status.OPEN)

    def pending(self):
        """Not yet decided: a private draft or an open rewrite (one per article)."""
        return self.filter(status__in=Rewrite.PENDING)


class Rewrite(models.Model):
    """A proposed replacement of an article's text: saved privately while its
    editor drafts it, then submitted for an admin's sign-off."""

    class Status(models.TextChoices):
        # Saved by its editor, not yet submitted: readers see no banner.
        DRAFT = "draft", "Private draft"
        OPEN = "open", "Awaiting sign-off"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Not yet decided: the article has a rewrite in progress.
    PENDING = (Status.DRAFT, Status.OPEN)

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="rewrites")
    title = models.CharField(max_length=300)
    dek = models.TextField("standfirst", blank=True)
    body_markdown = models.TextField("body (Markdown)")
    body_html = models.TextField(editable=False, blank=True)
    reader_note = models.TextField(
        blank=True,
        help_text="Shown to readers in the 'Rewrite in progress' banner once it is submitted.",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rewrites_drafted"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves on every save of the private draft.
    updated_at = models.DateTimeField(auto_now=True)
    # When readers first saw the banner (the article page's ETag reads it).
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rewrites_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = RewriteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A private draft counts: one rewrite in progress per article.
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(status__in=["draft", "open"]),
                name="one_open_rewrite_per_article",
            ),
        ]

    def __str__(self):
        return f"Rewrite of {self.article} ({self.get_status_display()})"

    def event_subjects(self):
        return [("article", self.article.slug)]

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def withdrawable_by(self, user):
        """Who may edit, submit or take back a rewrite: the editor who drafted
        it, or an admin."""
        return self.drafted_by_id == user.pk or is_admin(user)

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body_markdown)
        super().save(*args, **kwargs)


class Page(models.Model):
    """A standing page admins edit as Markdown, such as "How this works" (slug
    "how-this-works"). The HTML is rendered and sanitised once, on save."""

    METHOD_SLUG = "how-this-works"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    body_markdown = models.TextField("body (Markdown)")
    body_html = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def event_subjects(self):
        return [("page", self.slug)]

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body_markdown)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)
