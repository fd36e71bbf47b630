"""Bounded pagination for long lists (the claim ledger, the correction log).

Django's Paginator counts every row (COUNT(*) over 300k claims) and lets a
reader ask for page 6,000 (OFFSET 300,000): both get slower as the publication
grows. BoundedPaginator counts at most `max_count` rows — the count query runs
over a LIMITed subquery — and so never offers a page past them; the template
says "10,000+" when `count_is_bounded`. Filters and sorting, which readers use
to go deep, stay fast because each has an index.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

DEFAULT_MAX_COUNT = 10_000


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, max_count=DEFAULT_MAX_COUNT, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_count = max_count

    @cached_property
    def count(self):
        # SELECT COUNT(*) FROM (SELECT ... LIMIT max_count): bounded work.
        return self.object_list[: self.max_count].count()

    @property
    def count_is_bounded(self):
        """True when there may be more rows than counted."""
        return self.count >= self.max_count
