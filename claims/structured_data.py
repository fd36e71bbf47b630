"""schema.org JSON-LD, built as Python data and dumped once, so no
reader-written text is ever pasted into a script by a template.

A claim's page carries its one ClaimReview (Fact Check Explorer and the
datasets read them; the article page does not repeat them). The verdict maps
onto a stated three-point scale: 1 Not holding, 2 Partial, 3 Holding
(worstRating 1, bestRating 3); the verdict's own words travel as
reviewRating.alternateName. dateModified is the day of the last review (or the
article's publication day before the first). claimReviewed is the claim's short
form, written by its editor; without one, the statement's first sentence when
that alone is under 75 characters, the whole statement otherwise. The whole
statement is always the Claim's text.

An article's page carries its NewsArticle: dateModified at the revised date,
the drafter as author and the admin who signed it off as editor, each linked
to the method page's account of bylines, and one CorrectionComment per entry
of its correction log.
"""

import json
import re

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles.covers import cover_share_url

from .models import SHORT_STATEMENT_MAX_CHARS, Verdict

RATING_SCALE = {Verdict.NOT_HOLDING: 1, Verdict.PARTIAL: 2, Verdict.HOLDING: 3}
WORST_RATING = 1
BEST_RATING = 3

# As django.utils.html.json_script: "</script>" or "<!--" in any text cannot end the block.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“‘\"'(])")


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


def short_claim(statement):
    """The statement, or its first sentence where that is a short form of it:
    never a sentence cut in the middle."""
    statement = " ".join(statement.split())
    if len(statement) <= SHORT_STATEMENT_MAX_CHARS:
        return statement
    first = _SENTENCE_END.split(statement, maxsplit=1)[0]
    return first if len(first) <= SHORT_STATEMENT_MAX_CHARS else statement


def byline_person(name):
    """A name of the byline (a person, or a named tool), linked to where the
    method page says what drafting and signing off mean."""
    url = absolute(f"{reverse('articles:method')}#bylines")
    return {"@type": "Person", "name": name, "url": url}


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
        "claimReviewed": claim.short_statement or short_claim(claim.statement),
        "datePublished": _iso(article.published_on),
        "dateModified": _iso(claim.last_reviewed_on or article.published_on),
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
            "text": claim.statement,
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


def news_article(article, *, correction_entries=()):
    """The article's NewsArticle, with one CorrectionComment per log entry."""
    news = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": absolute(article.get_absolute_url()),
        "url": absolute(article.get_absolute_url()),
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "headline": article.title,
        "description": article.dek,
        "datePublished": _iso(article.published_on),
        "dateModified": _iso(article.revised_on or article.published_on),
        "author": byline_person(article.drafted_by) if article.drafted_by else publisher(),
        "publisher": publisher(),
        "articleSection": article.section.name,
    }
    if article.signed_off_by:
        news["editor"] = byline_person(article.signed_off_by)
    if article.cover:
        news["image"] = absolute(cover_share_url(article.cover))
    comments = correction_comments(correction_entries, article=article)
    if comments:
        news["correction"] = comments
    return news


def json_ld_script(data):
    """`data` as a <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
