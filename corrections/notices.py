"""What the editors' notice of a reader's error report says (sent through
vigil.notifications)."""

from vigil.notifications import Notice, desk_url

from .models import ErrorReport

ERROR_REPORT_RECEIVED = "error_report_received"


def describe_error_report_received(rows):
    report = ErrorReport.objects.select_related("article").filter(pk=rows[0].object_id).first()
    if report is None:
        return None
    return Notice(
        subject=f"Error reported in “{report.article.title}”",
        body=(
            f"A reader reported a factual error in “{report.article.title}”:\n\n"
            f"{report.what_is_wrong[:500]}\n\n"
            f"Look at it: {desk_url('dissent:moderation')}\n"
        ),
    )
