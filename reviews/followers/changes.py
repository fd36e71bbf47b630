"""What a committed action meant to the people who follow what it touched.

change_for(event) reads the record an event left (the review, the
correction-log entry) and says what changed in readers' words, and whom it
concerns: the claim, its article and its pillar, or an article, its claims
and its pillar. Actions readers would not care about give None.
"""

from dataclasses import dataclass, field

from django.conf import settings

from articles.models import Article, Pillar
from claims.models import Claim, Verdict
from corrections.models import CorrectionEntry
from reviews.models import Review

VERDICT = "verdict"
REVIEW_KEPT = "review"
CORRECTION = "correction"
REWRITE = "rewrite"
RETIREMENT = "retirement"

# Actions that can change what followers are told about; the fan-out ignores the rest.
ANNOUNCED_ACTIONS = frozenset(
    {"review.record", "correction.write", "error_report.correct", "rewrite.approve", "article.retire"}
)


@dataclass
class Change:
    kind: str
    heading: str
    text: str
    url: str
    # (kind, key) of what is followed: its followers are told.
    scope: set = field(default_factory=set)


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def _article_scope(article, claim_codes=()):
    scope = {("article", article.slug), *(("claim", code) for code in claim_codes)}
    if article.pillar_id:
        scope.add(("pillar", article.pillar.slug))
    return scope


def _review_change(event, codes):
    review = (
        Review.objects.filter(claim__code__in=codes, created_at__lte=event.at)
        .select_related("claim__article__pillar")
        .order_by("-created_at", "-pk")
        .first()
    )
    if review is None or not review.claim.article.is_published:
        return None
    claim = review.claim
    before, after = Verdict(review.verdict_before).label, Verdict(review.verdict_after).label
    if review.verdict_changed:
        kind, heading = VERDICT, f"{claim.code} is now {after} (was {before})"
    else:
        kind, heading = REVIEW_KEPT, f"{claim.code} reviewed: still {after}"
    return Change(
        kind=kind,
        heading=heading,
        text=f"“{claim.statement}”\n\n{review.reasoning}",
        url=_absolute(claim.get_absolute_url()),
        scope=_article_scope(claim.article, [claim.code]),
    )


ENTRY_KINDS = {
    "correction.write": (CORRECTION, {CorrectionEntry.Kind.CORRECTION, CorrectionEntry.Kind.CLARIFICATION}),
    "error_report.correct": (CORRECTION, {CorrectionEntry.Kind.CORRECTION, CorrectionEntry.Kind.CLARIFICATION}),
    "rewrite.approve": (REWRITE, {CorrectionEntry.Kind.REWRITE}),
    "article.retire": (RETIREMENT, {CorrectionEntry.Kind.RETIREMENT}),
}


def _entry_change(event, slugs):
    kind, entry_kinds = ENTRY_KINDS[event.action]
    # The entry this action wrote: the newest of its articles' entries at the event.
    entry = (
        CorrectionEntry.objects.filter(article__slug__in=slugs, created_at__lte=event.at)
        .select_related("article__pillar", "article__redirect_to", "claim")
        .order_by("-created_at", "-pk")
        .first()
    )
    if entry is None or entry.kind not in entry_kinds:
        return None
    article = entry.article
    url = _absolute(article.get_absolute_url())
    codes = [entry.claim.code] if entry.claim_id else []
    if kind == RETIREMENT:
        codes = list(Claim.objects.filter(article=article).values_list("code", flat=True))
        target = article.redirect_to
        heading = f"“{article.title}” was retired"
        text = entry.text
        if target is not None:
            url = _absolute(target.get_absolute_url())
            text += f"\n\nThe piece now lives at {url}"
    elif not article.is_published:
        return None
    elif kind == REWRITE:
        heading = f"“{article.title}” was rewritten"
        text = entry.text
    else:
        heading = f"{entry.get_kind_display()} to “{article.title}”"
        text = entry.text
        url += "#correction-log-title"
    return Change(kind=kind, heading=heading, text=text, url=url, scope=_article_scope(article, codes))


def change_for(event):
    """The Change an event means to followers, or None."""
    if event.action not in ANNOUNCED_ACTIONS:
        return None
    subjects = [(s.kind, s.key) for s in event.subjects.all()]
    if event.action == "review.record":
        return _review_change(event, [key for kind, key in subjects if kind == "claim"])
    return _entry_change(event, [key for kind, key in subjects if kind == "article"])


def followed_title(kind, key):
    """What a subscription follows, as the manage page names it; None if gone."""
    if kind == "claim":
        claim = Claim.objects.filter(code=key).only("code", "statement").first()
        return f"{claim.code}: {claim.statement}" if claim else None
    if kind == "article":
        return Article.objects.filter(slug=key).values_list("title", flat=True).first()
    name = Pillar.objects.filter(slug=key).values_list("name", flat=True).first()
    return f"the pillar {name}" if name else None
