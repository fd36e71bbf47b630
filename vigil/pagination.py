"""Pagination for long lists: bounded counts, and keyset pages for the public
lists and the desk queue (the claim ledger, the correction log, a claim's
reviews, the review queue).

Django's Paginator counts every row (COUNT(*) over 300k claims) and lets a
reader ask for page 6,000 (OFFSET 300,000): both get slower as the publication
grows. BoundedPaginator counts at most `max_count` rows — the count query runs
over a LIMITed subquery — and so never offers a page past them; the template
says "10,000+" when `count_is_bounded`. Filters and sorting, which readers use
to go deep, stay fast because each has an index.
"""

import hashlib
import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import PageNotAnInteger, Paginator
from django.db.models import Q
from django.utils.functional import cached_property

DEFAULT_MAX_COUNT = 10_000

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(text):
    """A query parameter read as a whole number, or None: ASCII digits only.

    str.isdigit() accepts "²" (which int() refuses: a 500) and int() accepts
    "١٢", " 7", "+7" and "1_0"; a page number, a page size or a cursor is
    none of those. Every query parameter that becomes an int goes through here.
    """
    if isinstance(text, str) and _WHOLE_NUMBER.fullmatch(text):
        return int(text)
    return None


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, max_count=DEFAULT_MAX_COUNT, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_count = max_count

    def validate_number(self, number):
        # ?page= comes from the query string: ASCII digits or not a page at all.
        if isinstance(number, str):
            if whole_number(number) is None:
                raise PageNotAnInteger("That page number is not a whole number.")
            number = int(number)
        return super().validate_number(number)

    @cached_property
    def count(self):
        # SELECT COUNT(*) FROM (SELECT ... LIMIT max_count): bounded work.
        return self.object_list[: self.max_count].count()

    @property
    def count_is_bounded(self):
        """True when there may be more rows than counted."""
        return self.count >= self.max_count


# --- Keyset pages ------------------------------------------------------------
#
# OFFSET makes the database walk every row before the page, so page 200 costs
# 200 times page 1. A keyset page starts where the last one ended instead: the
# link to the next page carries the sort key of its last row (?after=…), the
# link back the key of its first (?before=…), and the query begins at that key
# through the same index that orders the list. Any page costs what the first does.

KEYSET_PARAMS = ("after", "before")
KEYSET_SEPARATOR = ","
# A keyset list says "1,000+" past this many rows. Counting even that far is
# the dearest part of a page at 100k articles (each counted row joins its live
# article), so a count that reaches the bound is kept for COUNT_CACHE_SECONDS:
# a list that long does not stop being that long in a minute. Counts under the
# bound are cheap (few rows, through an index) and always exact.
KEYSET_MAX_COUNT = 1_000
_INTEGER_FIELDS = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField",
                   "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"}
COUNT_CACHE_SECONDS = 300


class KeysetPaginator:
    """Pages `queryset` in `order` — model fields, each may start with "-", the
    last one unique (so every row has its own key) — `per_page` rows at a time.
    `count` is bounded like BoundedPaginator's, "1,000+" past `max_count`, and
    a count at the bound is cached (KEYSET_MAX_COUNT)."""

    def __init__(self, queryset, per_page, *, order, max_count=KEYSET_MAX_COUNT):
        self.order = tuple(order)
        self.queryset = queryset.order_by(*self.order)
        self.object_list = self.queryset  # as Django's Paginator names the whole list
        self.per_page = per_page
        self.max_count = max_count
        meta = queryset.model._meta
        self._fields = [
            meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-"))
            for name in self.order
        ]

    @cached_property
    def count(self):
        bounded = self.queryset.order_by()[: self.max_count]
        key = "vigil:bounded-count:" + hashlib.sha256(str(bounded.query).encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = bounded.count()
            if count >= self.max_count:
                cache.set(key, count, COUNT_CACHE_SECONDS)
        return count

    @property
    def count_is_bounded(self):
        return self.count >= self.max_count

    def cursor(self, obj):
        """The key of `obj` as a link carries it: `2026-03-01,AM-060`."""
        return KEYSET_SEPARATOR.join(str(getattr(obj, field.attname)) for field in self._fields)

    def _key(self, cursor):
        """The typed key a cursor names, or None when it is not one of ours."""
        parts = (cursor or "").split(KEYSET_SEPARATOR)
        # ASCII only, and whole numbers as whole_number reads them: "١٢" or "+7" is no key.
        if len(parts) != len(self._fields) or not all(part.isascii() for part in parts):
            return None
        key = []
        for field, part in zip(self._fields, parts, strict=True):
            if field.get_internal_type() in _INTEGER_FIELDS:
                part = whole_number(part)
                if part is None:
                    return None
            try:
                key.append(field.to_python(part))
            except (ValidationError, ValueError, TypeError):
                return None
        return key

    def _beyond(self, key, *, forward):
        """Rows past `key` in the list's order (forward) or before it."""
        names = [name.lstrip("-") for name in self.order]
        later = [(not name.startswith("-")) == forward for name in self.order]
        # The leading field's bound on its own is what the index can start from;
        # the OR below then settles ties on it.
        first = f"{names[0]}__{'gte' if later[0] else 'lte'}"
        beyond = Q()
        for i, name in enumerate(names):
            step = Q(**dict(zip(names[:i], key[:i], strict=True)))
            step &= Q(**{f"{name}__{'gt' if later[i] else 'lt'}": key[i]})
            beyond |= step
        return Q(**{first: key[0]}) & beyond

    def page(self, query):
        """The page `query` (request.GET) asks for with ?after= or ?before=;
        the first page without either, or with a cursor that is not ours."""
        after, before = self._key(query.get("after")), self._key(query.get("before"))
        if before is not None:
            reversed_order = [name[1:] if name.startswith("-") else f"-{name}" for name in self.order]
            rows = list(
                self.queryset.filter(self._beyond(before, forward=False))
                .order_by(*reversed_order)[: self.per_page + 1]
            )
            has_previous = len(rows) > self.per_page
            return KeysetPage(self, rows[: self.per_page][::-1], has_previous, has_next=True)
        queryset = self.queryset
        if after is not None:
            queryset = queryset.filter(self._beyond(after, forward=True))
        rows = list(queryset[: self.per_page + 1])
        return KeysetPage(
            self, rows[: self.per_page], has_previous=after is not None,
            has_next=len(rows) > self.per_page,
        )


class KeysetPage:
    """One page of a KeysetPaginator: its rows and the cursors of its neighbours
    (templates/includes/keyset_nav.html links them)."""

    def __init__(self, paginator, object_list, has_previous, has_next):
        self.paginator = paginator
        self.object_list = object_list
        self.has_previous = has_previous and bool(object_list)
        self.has_next = has_next and bool(object_list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self):
        return self.has_previous or self.has_next

    @property
    def next_cursor(self):
        return self.paginator.cursor(self.object_list[-1]) if self.has_next else None

    @property
    def previous_cursor(self):
        return self.paginator.cursor(self.object_list[0]) if self.has_previous else None
