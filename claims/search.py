"""Search over published articles and their claims.

On PostgreSQL: full-text search, ranked (title above standfirst above body),
with highlighted snippets; the query is parsed as websearch syntax, so quotes,
"or", minus signs and any punctuation a reader types are taken as words, never
as errors. Articles are matched and ranked on a stored tsvector column with a
GIN index (migration articles.0003), so a common word costs no re-parsing.
Only a bounded candidate set is ranked: the CANDIDATES newest matches (claims:
the newest by id). A word in every article would otherwise rank all 100k of
them on every search; this way the database walks the listing index newest
first and stops after CANDIDATES matches, while a rare word is still found
through the GIN index wherever it is. The price: for a common word, the best
match older than the newest CANDIDATES is not offered.
Elsewhere (the SQLite default): every word must appear somewhere, title
matches first.

Snippets are escaped here and only our own <mark> tags are added, so nothing a
writer or a reader typed reaches the page as HTML.
"""

import re
from dataclasses import dataclass, field

from django import forms
from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article, Pillar

from .models import Claim, Verdict

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
RESULT_LIMIT = 20
CANDIDATES = 200
SNIPPET_RADIUS = 90
CONFIG = "english"

# Sentinels PostgreSQL puts around matches; replaced by <mark> after escaping.
_START, _STOP = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+", re.UNICODE)
# Markdown emphasis, code and heading marks read as noise in a snippet.
_MARKUP = re.compile(r"[*`]+|^\s*[#>]+\s*", re.MULTILINE)


def _plain(text):
    return _MARKUP.sub("", text or "")


def clean_query(text):
    """What we search for: no control characters (PostgreSQL rejects NUL), trimmed, bounded."""
    text = _CONTROL.sub(" ", text or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


class SearchForm(forms.Form):
    # No max_length: an over-long query is cut, not refused (clean_query).
    q = forms.CharField(label="Search articles and claims", required=False, strip=True)
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All pillars",
    )
    verdict = forms.ChoiceField(
        choices=[("", "Any verdict"), *Verdict.choices], required=False
    )


@dataclass
class Results:
    query: str
    articles: list = field(default_factory=list)
    claims: list = field(default_factory=list)

    limit: int = RESULT_LIMIT

    @property
    def count(self):
        return len(self.articles) + len(self.claims)

    @property
    def truncated(self):
        return len(self.articles) >= self.limit or len(self.claims) >= self.limit


def search(query, *, pillar=None, verdict=None):
    """Published articles and claims of published articles matching `query`.

    Each article gets `.snippet` (safe HTML with <mark>) and each claim too.
    """
    query = clean_query(query)
    if not _WORD.search(query):
        return Results(query=query)
    articles = Article.objects.for_listing()
    claims = Claim.objects.active().select_related("article")
    if pillar is not None:
        articles = articles.filter(pillar=pillar)
        claims = claims.filter(article__pillar=pillar)
    if verdict:
        articles = articles.filter(claims__is_primary=True, claims__verdict=verdict)
        claims = claims.filter(verdict=verdict)
    if connection.vendor == "postgresql":
        return _search_postgres(query, articles, claims)
    return _search_simple(query, articles, claims)


# --- PostgreSQL --------------------------------------------------------------


def stored_vector(model):
    """The weighted vector a model is matched and ranked on: the stored,
    GIN-indexed column PostgreSQL generates (migrations articles.0003 and
    claims.0003). Not a model field, so it is named against whichever alias
    the query gives the model's table — in a subquery that is not the table's
    own name, and naming the table there would correlate with the outer query."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models import Expression

    class StoredVector(Expression):
        output_field = SearchVectorField()

        def as_sql(self, compiler, connection):
            alias = compiler.query.get_initial_alias()
            return f'{compiler.quote_name_unless_alias(alias)}."search_document"', []

    return StoredVector()


def _search_postgres(query, articles, claims):
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
    )

    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    headline_options = {
        "start_sel": _START,
        "stop_sel": _STOP,
        "max_words": 35,
        "min_words": 15,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
        "config": CONFIG,
    }
    vector = stored_vector(Article)
    candidates = (
        articles.alias(document=vector).filter(document=search_query)
        .order_by("-published_on", "-pk").values("pk")[:CANDIDATES]
    )
    article_rows = list(
        articles.filter(pk__in=candidates)
        .annotate(rank=SearchRank(vector, search_query))
        .annotate(headline=SearchHeadline("body_markdown", search_query, **headline_options))
        .order_by("-rank", "-published_on", "-pk")[:RESULT_LIMIT]
    )
    for article in article_rows:
        article.snippet = _marked(article.headline)

    claim_vector = stored_vector(Claim)
    claim_candidates = (
        claims.alias(document=claim_vector)
        # Codes are stored upper-case: an exact match uses their unique index.
        .filter(Q(document=search_query) | Q(code=query.strip().upper()))
        .order_by("-pk").values("pk")[:CANDIDATES]
    )
    claim_rows = list(
        claims.filter(pk__in=claim_candidates)
        .annotate(
            rank=SearchRank(claim_vector, search_query),
            headline=SearchHeadline("statement", search_query, **headline_options),
        )
        .order_by("-rank", "code")[:RESULT_LIMIT]
    )
    for claim in claim_rows:
        claim.snippet = _marked(claim.headline)
    return Results(query=query, articles=article_rows, claims=claim_rows)


def _marked(headline):
    return mark_safe(escape(_plain(headline)).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


# --- Fallback (SQLite) -------------------------------------------------------


def _search_simple(query, articles, claims):
    words = _WORD.findall(query)[:MAX_WORDS]
    article_match = Q()
    claim_match = Q()
    for word in words:
        article_match &= Q(title__icontains=word) | Q(dek__icontains=word) | Q(body_markdown__icontains=word)
        claim_match &= Q(statement__icontains=word) | Q(holding_up_note__icontains=word)
    title_hits = Q()
    for word in words:
        title_hits |= Q(title__icontains=word)
    article_rows = list(
        articles.filter(article_match)
        .annotate(title_hit=Case(When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-title_hit", "-published_on", "-pk")[:RESULT_LIMIT]
    )
    for article in article_rows:
        article.snippet = snippet(article.body_markdown, words)
    claim_rows = list(
        claims.filter(claim_match | Q(code__iexact=query)).order_by("code")[:RESULT_LIMIT]
    )
    for claim in claim_rows:
        claim.snippet = snippet(claim.statement, words)
    return Results(query=query, articles=article_rows, claims=claim_rows)


def snippet(text, words):
    """A window of `text` around the first of `words`, escaped, the words in <mark>."""
    text = " ".join(_plain(text).split())
    lowered = text.lower()
    positions = [lowered.find(word.lower()) for word in words if word.lower() in lowered]
    start = max(0, min(positions, default=0) - SNIPPET_RADIUS)
    end = min(len(text), start + 2 * SNIPPET_RADIUS)
    window = text[start:end]
    if words:
        # Split on the matches before escaping, so a <mark> never lands inside an entity.
        pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
        html, last = [], 0
        for match in pattern.finditer(window):
            html += [escape(window[last:match.start()]), f"<mark>{escape(match.group(0))}</mark>"]
            last = match.end()
        html = "".join([*html, escape(window[last:])])
    else:
        html = escape(window)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308
