"""An N+1 detector built on Django 6.1's fetch modes.

Django's FETCH_RAISE refuses every lazy load of a related object or deferred
field. That is stricter than we need: `claim.article` on one claim fetched with
.get() costs one query and is fine. What must never happen is the same lazy
load repeated for each row of a list — an N+1. Django already tracks the
"peers" of an instance (the rows fetched by the same query) for FETCH_PEERS;
this mode uses that to raise only when the instance came with peers.

tests/conftest.py makes it the default for every test, so any page or service
that loops over rows and lazily loads a relation fails loudly; fix it with
select_related/prefetch_related (or QuerySet.fetch_mode(FETCH_PEERS)).
"""

from django.core.exceptions import FieldFetchBlocked
from django.db.models.fetch_modes import FetchMode


class RaiseOnNPlusOne(FetchMode):
    __slots__ = ()

    track_peers = True

    def fetch(self, fetcher, instance):
        peers = [peer for ref in instance._state.peers if (peer := ref()) is not None]
        if len(peers) > 1:
            raise FieldFetchBlocked(
                f"N+1: {instance.__class__.__qualname__}.{fetcher.field.name} is loaded lazily "
                f"for one of {len(peers)} rows fetched together; select_related or "
                "prefetch_related it in the query."
            ) from None
        fetcher.fetch_one(instance)

    def __reduce__(self):
        return "RAISE_ON_N_PLUS_ONE"


RAISE_ON_N_PLUS_ONE = RaiseOnNPlusOne()
