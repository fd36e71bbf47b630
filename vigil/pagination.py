"""Bounded pagination for long lists (the claim ledger, the correction log).

Django's Paginator counts every row (COUNT(*) over 300k claims) and lets a
reader ask for page 6,000 (OFFSET 300,000): both get slower as the publication
grows. BoundedPaginator counts at most `max_count` rows — the count query runs
over a LIMITed subquery — and so never offers a page past them; the template
says "10,000+" when `count_is_bounded`. Filters and sorting, which readers use
to go deep, stay fast because each has an index.
"""

import re

from django.core.paginator import PageNotAnInteger, Paginator
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
