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
Elsewhere (the SQLite default): every word must appear somewhere as a whole
word (or its plural: "fee" finds "fees", "egress" never finds "regressions"),
title matches first; snippets start and end between words.

A query is cut to MAX_QUERY_LENGTH characters (at a space where it can be),
and the page says so; control characters, NUL included, become spaces before
anything else sees them, so none is searched for, stored in a cache key or
echoed.

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


def _spaced(text):
    return " ".join(_CONTROL.sub(" ", text or "").split())


def clean_query(text):
    """What we search for: no control characters (PostgreSQL rejects NUL), trimmed,
    bounded; a long query is cut at its last space before the bound, so no word
    is searched for half-typed."""
    text = _spaced(text)
    if len(text) <= MAX_QUERY_LENGTH:
        return text
    head = text[: MAX_QUERY_LENGTH + 1]
    return head[: head.rindex(" ")] if " " in head else text[:MAX_QUERY_LENGTH]


class QueryField(forms.CharField):
    """Control characters are spaces before validation: a NUL is not worth an
    error message (CharField refuses it), it is simply not part of the search."""

    def to_python(self, value):
        return super().to_python(_CONTROL.sub(" ", value) if isinstance(value, str) else value)


class SearchForm(forms.Form):
    # No max_length: an over-long query is cut, not refused (clean_query).
    q = QueryField(label="Search articles and claims", required=False, strip=True)
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
    # How long the query was before it was cut to `query`, if it was.
    cut_from: int = 0

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
    typed = len(_spaced(query))
    query = clean_query(query)
    results = _search(query, pillar=pillar, verdict=verdict)
    if typed > len(query):
        results.cut_from = typed
    return results


def _search(query, *, pillar, verdict):
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


def word_pattern(words):
    """One regular expression matching any of `words` as a whole word, or its
    plural; case is ignored. `\\w` is Unicode-aware, so "égress" is one word."""
    alternatives = "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))
    return rf"(?<!\w)(?:{alternatives})(?:e?s)?(?!\w)"


def _word_in(name, word):
    # LIKE narrows the rows cheaply (ASCII only: SQLite folds no other case);
    # the word-boundary check then runs, in Python, on what is left.
    match = Q(**{f"{name}__iregex": word_pattern([word])})
    return (Q(**{f"{name}__icontains": word}) & match) if word.isascii() else match


def _search_simple(query, articles, claims):
    words = _WORD.findall(query)[:MAX_WORDS]
    article_match = Q()
    claim_match = Q()
    for word in words:
        article_match &= _word_in("title", word) | _word_in("dek", word) | _word_in("body_markdown", word)
        claim_match &= _word_in("statement", word) | _word_in("holding_up_note", word)
    title_hits = Q()
    for word in words:
        title_hits |= _word_in("title", word)
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
    """A window of `text` around the first of `words`, escaped, the words in <mark>.
    The window starts and ends between words: a reader never sees "…gressions"."""
    text = " ".join(_plain(text).split())
    pattern = re.compile(word_pattern(words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    focus, focus_end = (first.start(), first.end()) if first else (0, 0)
    start = max(0, focus - SNIPPET_RADIUS)
    if start and text[start - 1] != " ":
        # Forward to the next word's start; the match itself starts a word.
        space = text.find(" ", start, focus)
        start = space + 1 if space != -1 else focus
    end = min(len(text), max(start + 2 * SNIPPET_RADIUS, focus_end))
    if end < len(text) and text[end] != " ":
        # Back to the end of the last whole word, or on to the end of this one.
        space = text.rfind(" ", focus_end, end)
        if space == -1:
            space = text.find(" ", end)
        end = space if space != -1 else len(text)
    window = text[start:end].strip()
    if pattern:
        # Split on the matches before escaping, so a <mark> never lands inside an entity.
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
