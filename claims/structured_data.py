"""schema.org ClaimReview JSON-LD for claims, built as Python data and dumped
once, so no reader-written text is ever pasted into a script by a template.

The verdict maps onto a stated three-point scale: 1 Not holding, 2 Partial,
3 Holding (worstRating 1, bestRating 3); the verdict's own words travel as
reviewRating.alternateName. dateModified is the day the verdict last changed
(or the article's publication day while it never has).
"""

import json

from django.conf import settings
from django.utils.safestring import mark_safe

from articles.covers import cover_share_url

from .models import Verdict

RATING_SCALE = {Verdict.NOT_HOLDING: 1, Verdict.PARTIAL: 2, Verdict.HOLDING: 3}
WORST_RATING = 1
BEST_RATING = 3

# As django.utils.html.json_script: "</script>" or "<!--" in any text cannot end the block.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def publisher():
    return {
        "@type": "Organization",
        "name": settings.VIGIL["PUBLICATION_NAME"],
        "url": absolute("/"),
    }


def _iso(day):
    return day.isoformat() if day else None


def correction_comments(entries, *, article):
    return [
        {
            "@type": "CorrectionComment",
            "text": entry.text,
            "datePublished": _iso(entry.entry_on),
            "url": absolute(f"{article.get_absolute_url()}#correction-{entry.pk}"),
        }
        for entry in entries
    ]


def claim_review(claim, *, correction_entries=()):
    """The ClaimReview of `claim` as a dict (claim.article must be loaded)."""
    article = claim.article
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(claim.get_absolute_url()),
        "claimReviewed": claim.statement,
        "datePublished": _iso(article.published_on),
        "dateModified": _iso(claim.verdict_changed_on or article.published_on),
        "author": publisher(),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_SCALE[claim.verdict],
            "worstRating": WORST_RATING,
            "bestRating": BEST_RATING,
            "alternateName": claim.get_verdict_display(),
            "ratingExplanation": "1 = Not holding, 2 = Partial, 3 = Holding",
        },
        "itemReviewed": {
            "@type": "Claim",
            "datePublished": _iso(article.published_on),
            "author": publisher(),
            "appearance": {
                "@type": "NewsArticle",
                "url": absolute(article.get_absolute_url()),
                "headline": article.title,
                "datePublished": _iso(article.published_on),
            },
        },
        "identifier": claim.code,
    }
    comments = correction_comments(correction_entries, article=article)
    if comments:
        data["correction"] = comments
    return data


def article_graph(article, *, primary_claim=None, correction_entries=()):
    """The NewsArticle (with its correction log) and its primary claim's ClaimReview."""
    entries = list(correction_entries)
    news = {
        "@type": "NewsArticle",
        "@id": absolute(article.get_absolute_url()),
        "url": absolute(article.get_absolute_url()),
        "headline": article.title,
        "description": article.dek,
        "datePublished": _iso(article.published_on),
        "dateModified": _iso(article.revised_on or article.published_on),
        "author": (
            {"@type": "Person", "name": article.drafted_by} if article.drafted_by else publisher()
        ),
        "publisher": publisher(),
        "articleSection": article.section.name,
    }
    if article.cover:
        news["image"] = absolute(cover_share_url(article.cover))
    comments = correction_comments(entries, article=article)
    if comments:
        news["correction"] = comments
    graph = [news]
    if primary_claim is not None:
        review = claim_review(
            primary_claim,
            correction_entries=[entry for entry in entries if entry.claim_id == primary_claim.pk],
        )
        del review["@context"]
        graph.append(review)
    return {"@context": "https://schema.org", "@graph": graph}


def json_ld_script(data):
    """`data` as a <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
