"""Purging the edge cache in front of Vigil (Varnish, Fastly, Cloudflare) by tag.

After an action commits, purge_event() (an after-commit hook) makes Vigil's
own copies of the touched tags stale at once (vigil.freshness) and owes the
edge a purge of the same tags through the outbox: an edge that is down never
holds up an editor, and a purge it refused is retried until it is taken.
Repeated purges of one tag within VIGIL_EDGE["COALESCE_SECONDS"] go to the
edge once, and the last change is always followed by a purge (see "Through
the outbox" below). tags_purge() is the same path for after-commit work that
is not an action (a cover's renditions).

The purger is chosen by VIGIL_PURGER: "none" (the embedded default: nothing
in front, nothing owed), "varnish" (PURGE with an xkey-purge header to each
of VIGIL_VARNISH_URLS, as deploy/varnish.vcl expects), "fastly" (purge by
surrogate key) or "cloudflare" (purge by tag); or the dotted path of a class
with the same purge(tags) method.
"""

import datetime
import json
import logging
import math
import time
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from . import freshness
from .cache import CacheUnavailable, strict
from .cachetags import event_tags

logger = logging.getLogger(__name__)

# Every call to an edge gives up after this long: the outbox retries it.
TIMEOUT_SECONDS = 5
# Fastly and Cloudflare take at most this many tags in one call.
TAGS_PER_CALL = 30


class PurgeRefused(OSError):
    """The edge did not confirm the purge. An OSError, like a mail server that
    is down: the outbox's task retries it with backoff (vigil.tasks)."""


def _send(request):
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            answer.read()
    except OSError as exc:  # URLError and HTTPError (a 500) are OSErrors
        raise PurgeRefused(f"{request.get_method()} {request.full_url}: {exc}") from exc


def _batches(tags):
    tags = list(tags)
    return [tags[start : start + TAGS_PER_CALL] for start in range(0, len(tags), TAGS_PER_CALL)]


class VarnishPurger:
    """PURGE / with `xkey-purge: tag tag…` to every Varnish (deploy/varnish.vcl)."""

    def __init__(self):
        self.urls = settings.VIGIL_EDGE["VARNISH_URLS"]

    def purge(self, tags):
        for url in self.urls:
            for batch in _batches(tags):
                headers = {"xkey-purge": " ".join(batch)}
                _send(urllib.request.Request(url, method="PURGE", headers=headers))


class FastlyPurger:
    """Fastly's purge by surrogate key, for the Surrogate-Key header."""

    def purge(self, tags):
        edge = settings.VIGIL_EDGE
        url = f"https://api.fastly.com/service/{edge['FASTLY_SERVICE_ID']}/purge"
        for batch in _batches(tags):
            headers = {"Fastly-Key": edge["FASTLY_API_TOKEN"], "Surrogate-Key": " ".join(batch)}
            _send(urllib.request.Request(url, method="POST", headers=headers))


class CloudflarePurger:
    """Cloudflare's purge by tag, for the Cache-Tag header."""

    def purge(self, tags):
        edge = settings.VIGIL_EDGE
        url = f"https://api.cloudflare.com/client/v4/zones/{edge['CLOUDFLARE_ZONE_ID']}/purge_cache"
        for batch in _batches(tags):
            _send(
                urllib.request.Request(
                    url,
                    method="POST",
                    data=json.dumps({"tags": batch}).encode(),
                    headers={
                        "Authorization": f"Bearer {edge['CLOUDFLARE_API_TOKEN']}",
                        "Content-Type": "application/json",
                    },
                )
            )


PURGERS = {
    "varnish": VarnishPurger,
    "fastly": FastlyPurger,
    "cloudflare": CloudflarePurger,
}


def purger():
    """The configured purger, or None when nothing stands in front of Vigil."""
    name = settings.VIGIL_EDGE["PURGER"]
    if not name or name == "none":
        return None
    return (PURGERS.get(name) or import_string(name))()


def purge_event(event):
    """After an action commits: Vigil's own copies of what it touched go stale
    now; the edge's are owed a purge through the outbox."""
    tags_purge(event_tags(event), source=f"event:{event.pk}")


def tags_purge(tags, *, source, occasion=""):
    """Every copy showing one of `tags` is stale: here at once, at the edge
    through the outbox. `source` (with `occasion`) names what changed, so
    calling again for the same change owes nothing twice. For after-commit
    work that is not an action (a cover's renditions, articles.covers)."""
    tags = list(dict.fromkeys(tags))
    if not tags:
        return
    # The edge first: owing it is a row in the database, which a Redis outage
    # (tags_changed raising, the hook retried) does not hold up.
    if purger() is not None:
        edge_purge_owe(tags, source=source, occasion=occasion)
    freshness.tags_changed(tags)


# --- Through the outbox --------------------------------------------------------
#
# One row per tag (the row's recipient), so that purges coalesce per tag:
# - a tag already waiting for its purge (a row no sender has taken yet) needs
#   no second row: that purge goes after this change committed, so it covers it;
# - a tag purged at the edge less than COALESCE_SECONDS ago is owed again when
#   that window ends, not at once: a burst of changes to one page is one purge
#   now and one at the end of the second, never none after the last change;
# - any other tag is owed at once.
# A delivery takes every due purge row (a batch channel), so a review's tags
# go in one request.

EDGE_PURGE = "edge_purge"
# Rows one delivery takes together: the tags of one request to the edge.
PURGE_BATCH = 100
_SENT_KEY = "vigil:edge-purged:"


def _coalesce_seconds():
    return float(settings.VIGIL_EDGE.get("COALESCE_SECONDS", 0))


def _last_purged(tags):
    """{tag: epoch seconds} of the tags purged at the edge within the window,
    as the cache remembers; {} when it cannot say (then purge at once: more
    purges, never fewer)."""
    try:
        with strict():
            found = cache.get_many([_SENT_KEY + tag for tag in tags])
    except CacheUnavailable:
        return {}
    return {key.removeprefix(_SENT_KEY): value for key, value in found.items()}


def _remember_purged(tags, at):
    window = _coalesce_seconds()
    if window:
        # A miss or a Redis that is down only means a purge goes at once.
        cache.set_many({_SENT_KEY + tag: at for tag in tags}, timeout=math.ceil(window) + 1)


def edge_purge_owe(tags, *, source, occasion=""):
    """The one place that writes edge purges to the outbox (vigil.notifications)."""
    from .models import OutboxMessage
    from .notifications import lease_seconds, outbox_owe

    now = timezone.now()
    waiting = set(
        OutboxMessage.objects.unleased(now=now, lease_seconds=lease_seconds())
        .filter(channel=EDGE_PURGE, recipient__in=tags)
        .values_list("recipient", flat=True)
    )
    owed = [tag for tag in tags if tag not in waiting]
    window = _coalesce_seconds()
    last = _last_purged(owed) if window and owed else {}
    at_once, later = [], {}
    for tag in owed:
        purged_at = last.get(tag)
        if purged_at is not None and now.timestamp() - purged_at < window:
            due = datetime.datetime.fromtimestamp(purged_at + window, tz=datetime.UTC)
            later.setdefault(due, []).append(tag)
        else:
            at_once.append(tag)
    if at_once:
        outbox_owe(kind=EDGE_PURGE, object_id=source, recipients=at_once, occasion=occasion)
    for due, group in later.items():
        outbox_owe(kind=EDGE_PURGE, object_id=source, recipients=group, occasion=occasion, due_at=due)


def edge_purge_deliver(rows):
    """Deliver owed purges (outbox rows, one per tag) in one call to the edge;
    raises PurgeRefused when the edge refused it."""
    edge = purger()
    if edge is None:
        return False
    tags = list(dict.fromkeys(_row_tags(rows)))
    if not tags:
        return False
    edge.purge(tags)
    _remember_purged(tags, time.time())
    return True


def _row_tags(rows):
    from .models import Event

    for row in rows:
        if row.recipient != EDGE_PURGE:
            yield row.recipient
            continue
        # Owed before purges were owed per tag: the row names the event.
        event = Event.objects.filter(pk=row.object_id).prefetch_related("subjects").first()
        if event is not None:
            yield from event_tags(event)
