"""What the admins' notice of a rewrite submitted for sign-off says (sent
through vigil.notifications, one message per admin)."""

from django.utils.text import Truncator

from vigil.notifications import Notice, desk_url
from vigil.roles import display_name

from .models import Rewrite
from .services import REWRITE_SUBMITTED

__all__ = ["REWRITE_SUBMITTED", "describe_rewrite_submitted"]


def describe_rewrite_submitted(rows):
    rewrite = Rewrite.objects.select_related("article", "drafted_by").filter(pk=rows[0].object_id).first()
    # Decided or withdrawn before the mail went out: nothing waits any more.
    if rewrite is None or not rewrite.is_open:
        return None
    return Notice(
        subject=f"Rewrite of “{rewrite.article.title}” awaits your sign-off",
        body=(
            f"{display_name(rewrite.drafted_by)} submitted a rewrite of “{rewrite.article.title}” "
            f"for sign-off. Readers now see the “Rewrite in progress” banner:\n"
            f"  {Truncator(rewrite.reader_note).chars(300)}\n\n"
            f"Proposed title: {rewrite.title}\n\n"
            f"Read the diff and approve or reject it: "
            f"{desk_url('articles:desk_rewrite', pk=rewrite.pk)}\n"
        ),
    )
