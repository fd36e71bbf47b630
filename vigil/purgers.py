"""Purging the edge cache in front of Vigil (Varnish, Fastly, Cloudflare) by tag.

After an action commits, purge_event() (an after-commit hook) makes Vigil's
own copies of the touched tags stale at once (vigil.freshness) and owes the
edge a purge of the same tags through the outbox: an edge that is down never
holds up an editor, and a purge it refused is retried until it is taken.

The purger is chosen by VIGIL_PURGER: "none" (the embedded default: nothing
in front, nothing owed), "varnish" (PURGE with an xkey-purge header to each
of VIGIL_VARNISH_URLS, as deploy/varnish.vcl expects), "fastly" (purge by
surrogate key) or "cloudflare" (purge by tag); or the dotted path of a class
with the same purge(tags) method.
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from . import freshness
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
            _send(urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(tags)}))


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
    tags = event_tags(event)
    if not tags:
        return
    # The edge first: owing it is a row in the database, which a Redis outage
    # (tags_changed raising, the hook retried) does not hold up.
    if purger() is not None:
        edge_purge_owe(event)
    freshness.tags_changed(tags)


# --- Through the outbox --------------------------------------------------------

EDGE_PURGE = "edge_purge"


def edge_purge_owe(event):
    """The one place that writes a purge to the outbox (vigil.notifications):
    the row names the event; its tags are read again when it is delivered."""
    from .notifications import outbox_owe

    outbox_owe(kind=EDGE_PURGE, object_id=event.pk)


def edge_purge_deliver(rows):
    """Deliver one owed purge (an outbox row naming the event); raises
    PurgeRefused when the edge refused it."""
    from .models import Event

    event = Event.objects.filter(pk=rows[0].object_id).prefetch_related("subjects").first()
    edge = purger()
    if event is None or edge is None:
        return False
    edge.purge(event_tags(event))
    return True
