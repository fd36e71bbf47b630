from django import template

from claims import structured_data

register = template.Library()


@register.simple_tag
def claim_review_json_ld(claim):
    """The claim page's ClaimReview, with the correction-log entries about this claim."""
    entries = claim.correction_entries.order_by("entry_on", "pk")
    return structured_data.json_ld_script(
        structured_data.claim_review(claim, correction_entries=entries)
    )


@register.simple_tag
def article_json_ld(article, correction_entries=()):
    """The article page's NewsArticle; its claims' ClaimReviews are on their own pages."""
    return structured_data.json_ld_script(
        structured_data.news_article(article, correction_entries=correction_entries)
    )
