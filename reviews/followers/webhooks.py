"""Webhooks: each announced event POSTed as signed JSON to the endpoints that
asked for it, as the outbox's "webhook" channel (one row per event and endpoint).

Signature: `X-Vigil-Signature: sha256=<hex>` is HMAC-SHA256 with the
endpoint's secret over `<X-Vigil-Timestamp>.<body>`; `X-Vigil-Delivery` is the
row's idempotency key, the same on every retry. A failed POST (a network
error or any answer but 2xx) is retried by the outbox with backoff; after
WEBHOOK_MAX_FAILURES failures in a row the endpoint is disabled and the
admins are told. Endpoints that resolve to loopback, private, link-local
(cloud metadata) or other reserved addresses are refused, at registration and
again at each delivery, and the request goes to the address that was checked
— unless WEBHOOKS_ALLOW_PRIVATE is set (tests, a receiver on the same host).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from vigil.models import Event
from vigil.notifications import Notice, desk_url, outbox_write
from vigil.roles import admins

from .models import WebhookDelivery, WebhookEndpoint

CHANNEL = "webhook"
WEBHOOK_EVENT = "webhook_event"
ENDPOINT_DISABLED = "webhook_disabled"
TIMEOUT_SECONDS = 10


class WebhookRefused(ValidationError):
    pass


class WebhookFailed(Exception):
    pass


def sign(secret, timestamp, body):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _public_address(host, port):
    """The first address `host` resolves to, if every one is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise WebhookRefused(f"{host} does not resolve ({exc}).") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not settings.VIGIL["WEBHOOKS_ALLOW_PRIVATE"]:
        for address in addresses:
            if address.version == 6 and address.ipv4_mapped:
                address = address.ipv4_mapped
            if not address.is_global or address.is_multicast:
                raise WebhookRefused(
                    f"{host} resolves to {address}, a loopback, private, link-local or reserved "
                    "address: webhooks go only to public addresses."
                )
    return str(addresses[0])


def check_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("Give an http or https address.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts, port, _public_address(parts.hostname, port)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with the host's name for SNI and the certificate."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url, body, headers):
    parts, port, address = check_url(url)
    if parts.scheme == "https":
        connection = _PinnedHTTPS(parts.hostname, port, address, timeout=TIMEOUT_SECONDS)
    else:
        connection = http.client.HTTPConnection(address, port, timeout=TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers={"Host": parts.netloc, **headers})
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        connection.close()


def payload(event, key):
    return {
        "id": key,
        "event": event.action,
        "at": event.at.isoformat(),
        "by": event.actor_name,
        "subjects": [{"kind": s.kind, "key": s.key} for s in event.subjects.all()],
        "summary": event.summary,
    }


def deliver(rows):
    row = rows[0]
    endpoint = WebhookEndpoint.objects.filter(pk=row.recipient, is_active=True).first()
    event = Event.objects.prefetch_related("subjects").filter(pk=row.object_id).first()
    if endpoint is None or event is None:
        return False  # disabled or removed: nothing to deliver, ever
    body = json.dumps(payload(event, row.idempotency_key), separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Vigil-Webhooks",
        "X-Vigil-Event": event.action,
        "X-Vigil-Delivery": row.idempotency_key,
        "X-Vigil-Timestamp": timestamp,
        "X-Vigil-Signature": sign(endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    status, error = None, ""
    try:
        status = _post(endpoint.url, body, headers)
    except (OSError, http.client.HTTPException, ValidationError) as exc:
        error = str(exc)[:500]
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        idempotency_key=row.idempotency_key,
        status=status,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if error or not 200 <= status < 300:
        raise WebhookFailed(error or f"answered {status}")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    return True


def delivery_failed(rows, exc):
    """Count a failure; a run of them disables the endpoint and tells the admins."""
    endpoint_id = rows[0].recipient
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint_id, is_active=True, consecutive_failures__gte=settings.VIGIL["WEBHOOK_MAX_FAILURES"]
    ).update(is_active=False, disabled_at=timezone.now())
    if disabled:
        recipients = admins().exclude(email="").values_list("email", flat=True)
        outbox_write(kind=ENDPOINT_DISABLED, object_id=endpoint_id, recipients=list(recipients))


def describe_endpoint_disabled(rows):
    endpoint = WebhookEndpoint.objects.filter(pk=rows[0].object_id).first()
    if endpoint is None:
        return None
    last = endpoint.deliveries.first()
    return Notice(
        subject=f"Webhook disabled: {endpoint.url}",
        body=(
            f"The webhook endpoint {endpoint.url} failed {endpoint.consecutive_failures} times in a row"
            f"{f' (last: {last.error or last.status})' if last else ''} and was disabled.\n\n"
            f"See its deliveries and enable it again: {desk_url('followers:webhooks')}\n"
        ),
    )
