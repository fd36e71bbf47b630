from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from vigil.freshness import content_changed
from vigil.notifications import notify_editors

from .models import Amendment, CorrectionEntry, ErrorReport, SignOffRequest


@transaction.atomic
def correction_entry_create(
    *,
    article,
    kind,
    text,
    entry_on=None,
    claim=None,
    created_by=None,
    signoff_question="",
    signoff_addressed_to=None,
):
    """Append a dated entry to an article's correction log, optionally carrying
    a sign-off request addressed to an admin."""
    entry = CorrectionEntry.objects.create(
        article=article,
        kind=kind,
        text=text,
        entry_on=entry_on or timezone.localdate(),
        claim=claim,
        created_by=created_by,
    )
    if signoff_question:
        SignOffRequest.objects.create(
            entry=entry, question=signoff_question, addressed_to=signoff_addressed_to
        )
    transaction.on_commit(content_changed)
    return entry


class CorrectionLogRefused(Exception):
    """A correction-log action that changed nothing; the message says why."""


class SignOffAlreadyAnswered(CorrectionLogRefused):
    pass


def _require_admin(user):
    from vigil.roles import is_admin

    if not is_admin(user):
        raise PermissionDenied("Only an admin may do this.")


@transaction.atomic
def correction_entry_amend(*, entry, new_text, reason, admin):
    """Replace an entry's text (admins only). Readers see the new text; the old
    one stays in an Amendment that staff see on the entry, with who and when."""
    _require_admin(admin)
    new_text, reason = (new_text or "").strip(), (reason or "").strip()
    if not new_text:
        raise CorrectionLogRefused("The amended text cannot be empty.")
    if not reason:
        raise CorrectionLogRefused("Say why the entry is amended.")
    entry = CorrectionEntry.objects.select_for_update().get(pk=entry.pk)
    if new_text == entry.text:
        raise CorrectionLogRefused("The new text is the same as the current one; nothing changed.")
    amendment = Amendment.objects.create(
        entry=entry, previous_text=entry.text, new_text=new_text, reason=reason, amended_by=admin
    )
    entry.text = new_text
    # The one sanctioned update of an entry: update_fields passes the append-only guard.
    entry.save(update_fields=["text"])
    transaction.on_commit(content_changed)
    return amendment


@transaction.atomic
def signoff_answer(*, request, answer, admin):
    """Answer an open sign-off request (admins only), recording the answer, who and when.
    A request is answered once: a second answer changes nothing and says so."""
    _require_admin(admin)
    answer = (answer or "").strip()
    if not answer:
        raise CorrectionLogRefused("Write an answer.")
    request = SignOffRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise SignOffAlreadyAnswered(
            f"This sign-off request was already answered on {timezone.localtime(request.answered_at):%d %b %Y %H:%M}; nothing changed."
        )
    request.answer = answer
    request.answered_by = admin
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    return request



# --- Error reports from readers (the corrections report form) ------------------


class ErrorReportAlreadyHandled(Exception):
    pass


@transaction.atomic
def error_report_submit(*, article, what_is_wrong, evidence="", contact_name="", contact_email=""):
    """Receive a reader's report of a factual error in a published article."""
    if article.status != Article.Status.PUBLISHED:
        raise ValidationError("This article is no longer open for error reports.", code="not_published")
    if not what_is_wrong.strip():
        raise ValidationError("Say what is wrong.", code="required")
    if ErrorReport.objects.filter(
        article=article, what_is_wrong=what_is_wrong, status=ErrorReport.Status.OPEN
    ).exists():
        raise ValidationError(
            "We have already received this report and it is open. There is no need to send it again.",
            code="duplicate",
        )
    report = ErrorReport.objects.create(
        article=article,
        what_is_wrong=what_is_wrong,
        evidence=evidence,
        contact_name=contact_name,
        contact_email=contact_email,
    )
    notify_editors(event="error_report_received", object_id=report.pk)
    return report


def _open_report_for_update(report):
    report = ErrorReport.objects.select_for_update().select_related("article").get(pk=report.pk)
    if report.status != ErrorReport.Status.OPEN:
        raise ErrorReportAlreadyHandled(f"This report was already {report.get_status_display().lower()}.")
    return report


@transaction.atomic
def error_report_decline(*, report, editor):
    """Close a report that does not show an error. Nothing changes for readers."""
    report = _open_report_for_update(report)
    report.status = ErrorReport.Status.DECLINED
    report.handled_by = editor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at"])
    return report


@transaction.atomic
def error_report_correct(*, report, editor, text, kind=CorrectionEntry.Kind.CORRECTION):
    """Turn a report into a dated entry of the article's correction log."""
    report = _open_report_for_update(report)
    if kind not in (CorrectionEntry.Kind.CORRECTION, CorrectionEntry.Kind.CLARIFICATION):
        raise ValidationError("A report becomes a correction or a clarification.", code="kind")
    if not text.strip():
        raise ValidationError("Write the correction-log entry.", code="required")
    report.correction_entry = correction_entry_create(
        article=report.article, kind=kind, text=text.strip(), created_by=editor
    )
    report.status = ErrorReport.Status.CORRECTED
    report.handled_by = editor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "correction_entry", "handled_by", "handled_at"])
    return report
