"""What the browser is told about this site beyond the CSP Django sends itself.

- Permissions-Policy: no page of Vigil uses the camera, the microphone, the
  position, payment or the like, so every page turns them off (and so does any
  frame an injected script could open).
- Reporting-Endpoints names where a browser reports a CSP violation
  (settings.SECURE_CSP's report-to); older browsers use its report-uri.
- csp_report: that endpoint. It logs each violation at WARNING, one line with
  the few fields that say what was blocked where, and answers 204. The body
  comes from anyone on the internet: it is size-capped, never stored, and only
  known fields, shortened, reach the log.
"""

import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("vigil.csp")

MAX_REPORT_BYTES = 16 * 1024
# Both spellings: report-uri bodies use dashes, Reporting API bodies camelCase.
FIELDS = {
    "document-uri": "page",
    "documentURL": "page",
    "violated-directive": "directive",
    "effective-directive": "directive",
    "effectiveDirective": "directive",
    "blocked-uri": "blocked",
    "blockedURL": "blocked",
    "source-file": "source",
    "sourceFile": "source",
    "line-number": "line",
    "lineNumber": "line",
    "disposition": "disposition",
}
REPORTS_PER_REQUEST = 20


def browser_policy(get_response):
    """Middleware: the Permissions-Policy and Reporting-Endpoints headers."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("Reporting-Endpoints", f'csp="{settings.CSP_REPORT_PATH}"')
        return response

    return middleware


def _violations(payload):
    """The violation bodies in a report-uri or a Reporting API payload."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            report["body"]
            for report in payload[:REPORTS_PER_REQUEST]
            if isinstance(report, dict)
            and report.get("type") == "csp-violation"
            and isinstance(report.get("body"), dict)
        ]
    return []


def _summary(body):
    seen = {}
    for key, label in FIELDS.items():
        value = body.get(key)
        if value not in (None, "") and label not in seen:
            # Shortened and stripped of newlines: one log line per violation.
            seen[label] = " ".join(str(value).split())[:300]
    return seen


@csrf_exempt  # Browsers send reports without a token, from any page.
@require_POST
def csp_report(request):
    # Read no more than a report can be, whatever Content-Length claims.
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponseBadRequest("report too large\n", content_type="text/plain")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("not a CSP report\n", content_type="text/plain")
    violations = _violations(payload)
    if not violations:
        return HttpResponseBadRequest("not a CSP report\n", content_type="text/plain")
    for body in violations:
        logger.warning("CSP violation: %s", json.dumps(_summary(body), ensure_ascii=True))
    return HttpResponse(status=204)
