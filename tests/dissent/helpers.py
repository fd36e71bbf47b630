"""Shared data for the dissent tests."""

from tests.factories import make_article, make_claim

ARGUMENT = (
    "The claim rests on one survey from a single year, but two later surveys with larger "
    "samples found the opposite trend, and the article does not say why the earlier one "
    "should be preferred. Until that is explained the verdict overstates the evidence."
)
assert len(ARGUMENT) >= 200


def article_with_claims():
    article = make_article(title="What the survey shows", slug="what-the-survey-shows")
    primary = make_claim(article=article, is_primary=True, statement="Most firms now use the tool.")
    secondary = make_claim(article=article, statement="Adoption doubled in a year.")
    return article, primary, secondary


def dissent_post(for_claim, **overrides):
    data = {
        "claim": for_claim.code,
        "argument": ARGUMENT,
        "sources": "https://example.org/survey-2025\nhttp://stats.example.net/table?id=3",
        "name": "Ada Reader",
        "email": "ada@example.org",
        "consent_to_credit": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
