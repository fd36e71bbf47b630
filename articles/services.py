"""Rewrites: editors draft and withdraw; admins reject with a reason. The
decisions that write the correction log (approving a rewrite, retiring an
article) are corrections.services' sign-off actions, which use the locking
and deciding helpers here. And one repair: a cover stored before originals
were stripped is stored again without its metadata (cover_metadata_strip).

Every decision locks the article row first, then the rewrite, so an approval
and a retirement of the same article never deadlock, and two admins pressing
"Approve" at once leave exactly one approval.
"""

import logging
import os
from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import Truncator

from vigil.actions import ADMIN, EDITOR, action
from vigil.roles import display_name

from .models import Article, Rewrite
from .renditions import cover_metadata
from .tasks import cover_renditions_queue

logger = logging.getLogger(__name__)


class RewriteRefused(Exception):
    """A rewrite or retirement action that changed nothing; the message says why."""


class RewriteAlreadyDecided(RewriteRefused):
    pass


class RetirementRefused(RewriteRefused):
    pass


def _already_decided(rewrite):
    return RewriteAlreadyDecided(
        f"This rewrite was already {rewrite.get_status_display().lower()}; nothing changed."
    )


@action("rewrite.draft", role=EDITOR, actor="editor")
def rewrite_draft(*, article, editor, title, dek, body_markdown, reader_note, record):
    """Open a rewrite of a published article. While it is open the article page
    shows the "Rewrite in progress" banner with `reader_note`."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.PUBLISHED:
        raise RewriteRefused("Only a published article can be rewritten.")
    if Rewrite.objects.open().filter(article=article).exists():
        raise RewriteRefused("This article already has a rewrite awaiting sign-off.")
    if not (title or "").strip() or not (body_markdown or "").strip():
        raise RewriteRefused("A rewrite needs a title and a body.")
    if not (reader_note or "").strip():
        raise RewriteRefused("Write the note readers see while the rewrite is open.")
    # Rewrite.save renders the Markdown through vigil.rendering.
    rewrite = Rewrite.objects.create(
        article=article,
        title=title.strip(),
        dek=(dek or "").strip(),
        body_markdown=body_markdown,
        reader_note=reader_note.strip(),
        drafted_by=editor,
    )
    record.touch(article)
    record.say(f"Rewrite drafted: “{Truncator(rewrite.title).chars(120)}” — {Truncator(rewrite.reader_note).chars(160)}")
    return rewrite


def rewrite_lock_open(rewrite):
    """Lock the article, then the rewrite; refuse unless the rewrite is still open."""
    article = Article.objects.select_for_update().get(pk=rewrite.article_id)
    rewrite = Rewrite.objects.select_for_update().get(pk=rewrite.pk)
    if rewrite.status != Rewrite.Status.OPEN:
        raise _already_decided(rewrite)
    rewrite.article = article
    return rewrite


def rewrite_decide(rewrite, *, status, user, reason=""):
    rewrite.status = status
    rewrite.decided_by = user
    rewrite.decided_at = timezone.now()
    rewrite.decision_reason = reason
    rewrite.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


@action("rewrite.withdraw", role=EDITOR, actor="editor")
def rewrite_withdraw(*, rewrite, editor, record):
    """The drafting side takes an open rewrite back; the banner goes away.
    An editor withdraws only their own rewrite; an admin any."""
    rewrite = rewrite_lock_open(rewrite)
    if not rewrite.withdrawable_by(editor):
        raise PermissionDenied(
            f"Only {display_name(rewrite.drafted_by)}, who drafted this rewrite, "
            "or an admin may withdraw it (rewrite.withdraw)."
        )
    rewrite_decide(rewrite, status=Rewrite.Status.WITHDRAWN, user=editor)
    record.touch(rewrite.article)
    record.say("Rewrite withdrawn")
    return rewrite


@action("rewrite.reject", role=ADMIN, actor="admin")
def rewrite_reject(*, rewrite, admin, reason, record):
    """Turn a rewrite down with a reason the editor sees; the live text stays."""
    reason = (reason or "").strip()
    if not reason:
        raise RewriteRefused("Give the editor a reason for the rejection.")
    rewrite = rewrite_lock_open(rewrite)
    rewrite_decide(rewrite, status=Rewrite.Status.REJECTED, user=admin, reason=reason)
    record.touch(rewrite.article)
    record.say(f"Rewrite rejected: {Truncator(reason).chars(200)}")
    return rewrite




# --- Covers stored before their metadata was stripped ---------------------------


class CoverUnchanged(Exception):
    """Nothing to strip: no cover, or none of its metadata left. No event."""


def _forget_stored(name):
    """After commit: the old original (with its GPS position) goes from storage."""
    try:
        default_storage.delete(name)
    except Exception:
        # Committed: the article shows the clean copy already; the old file waits for a person.
        logger.exception("could not delete the old cover %s; delete it by hand", name)


@action("cover.strip_metadata", role=ADMIN, actor="admin")
def cover_metadata_strip(*, admin, article, record):
    """Store an article's cover again as a new upload is stored (CoverField):
    without EXIF, XMP or comments, upright, named by its real format. The clean
    copy gets a new name, so no cache anywhere holds the old file under it; the
    article points at it (its derived text is not re-rendered), its renditions
    are made after commit, and the old original is deleted after commit.
    Returns what the old file carried. Refuses (CoverUnchanged) a cover with
    nothing to strip, and (ValidationError) a file no cover may be."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.cover:
        raise CoverUnchanged(f"“{article.title}” has no cover.")
    found = cover_metadata(article.cover)
    if not found:
        raise CoverUnchanged(f"The cover of “{article.title}” has no metadata left.")
    old = article.cover.name
    with article.cover.open("rb") as file:
        content = ContentFile(file.read())
    article.cover.save(os.path.basename(old), content, save=False)
    # One column: a save() would re-render the body, a change readers were not told of.
    Article.objects.filter(pk=article.pk).update(cover=article.cover.name)
    cover_renditions_queue(article)
    record.on_commit(partial(_forget_stored, old))
    record.touch(article)
    record.say(f"Cover stored again without {', '.join(found)}: {old} → {article.cover.name}")
    return found
