"""Rewrites: editors draft privately, submit for sign-off and withdraw; admins
reject with a reason. The decisions that write the correction log (approving
a rewrite, retiring an article) are corrections.services' sign-off actions,
which use the locking and deciding helpers here. And one repair: a cover stored
before originals were stripped is stored again without its metadata
(cover_metadata_strip).

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
from vigil.notifications import notify_admins
from vigil.roles import display_name

from .models import Article, Rewrite
from .renditions import cover_metadata
from .tasks import cover_renditions_queue

logger = logging.getLogger(__name__)

# The admins' notice of a rewrite submitted for sign-off (articles/notices.py says how it reads).
REWRITE_SUBMITTED = "rewrite_submitted"


class RewriteRefused(Exception):
    """A rewrite or retirement action that changed nothing; the message says why."""


class RewriteAlreadyDecided(RewriteRefused):
    pass


class RetirementRefused(RewriteRefused):
    pass


def _already_decided(rewrite):
    if rewrite.is_open:
        return RewriteAlreadyDecided("This rewrite was already submitted for sign-off; nothing changed.")
    if rewrite.is_draft:
        return RewriteAlreadyDecided("This rewrite is still a private draft: submit it for sign-off first.")
    return RewriteAlreadyDecided(
        f"This rewrite was already {rewrite.get_status_display().lower()}; nothing changed."
    )


def _rewrite_text_refusal(title, body_markdown):
    if not (title or "").strip() or not (body_markdown or "").strip():
        return RewriteRefused("A rewrite needs a title and a body.")
    return None


@action("rewrite.draft", role=EDITOR, actor="editor")
def rewrite_draft(*, article, editor, title, dek, body_markdown, reader_note="", rewrite=None, record):
    """Save a rewrite of a published article privately: a new draft, or more
    work on `rewrite`, still a draft. Readers see nothing of it (no banner)
    until it is submitted for sign-off (rewrite_submit). One rewrite is in
    progress per article, drafted or submitted; only its editor or an admin
    works on it."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.PUBLISHED:
        raise RewriteRefused("Only a published article can be rewritten.")
    if rewrite is None:
        pending = Rewrite.objects.pending().filter(article=article).select_related("drafted_by").first()
        if pending is not None:
            raise RewriteRefused(
                "This article already has a rewrite awaiting sign-off."
                if pending.is_open
                else f"{display_name(pending.drafted_by)} is already drafting a rewrite of this article."
            )
    else:
        rewrite = rewrite_lock(rewrite, states=(Rewrite.Status.DRAFT,))
        if rewrite.article_id != article.pk:
            raise RewriteRefused("That rewrite is of another article.")
        _refuse_unless_theirs(rewrite, editor, "change its draft (rewrite.draft)")
    refusal = _rewrite_text_refusal(title, body_markdown)
    if refusal:
        raise refusal
    text = {
        "title": title.strip(),
        "dek": (dek or "").strip(),
        "body_markdown": body_markdown,
        "reader_note": (reader_note or "").strip(),
    }
    # Rewrite.save renders the Markdown through vigil.rendering.
    if rewrite is None:
        rewrite = Rewrite.objects.create(article=article, drafted_by=editor, **text)
        record.say(f"Rewrite drafted privately: “{Truncator(rewrite.title).chars(120)}”")
    else:
        changed = [name for name, value in text.items() if getattr(rewrite, name) != value]
        for name, value in text.items():
            setattr(rewrite, name, value)
        rewrite.save()
        record.say(
            f"Private draft of the rewrite saved ({', '.join(changed) if changed else 'no change'})"
        )
    # Named for the article's history in the audit trail; readers see no change.
    record.touch(article)
    return rewrite


def _refuse_unless_theirs(rewrite, user, doing):
    """`doing` says what was refused: "withdraw it (rewrite.withdraw)"."""
    if not rewrite.withdrawable_by(user):
        raise PermissionDenied(
            f"Only {display_name(rewrite.drafted_by)}, who drafted this rewrite, or an admin may {doing}."
        )


@action("rewrite.submit", role=EDITOR, actor="editor")
def rewrite_submit(*, rewrite, editor, record):
    """Send a private draft for sign-off. From now on the article page shows
    the "Rewrite in progress" banner with the reader note, and every admin is
    told, once, that it waits for them."""
    rewrite = rewrite_lock(rewrite, states=(Rewrite.Status.DRAFT,))
    _refuse_unless_theirs(rewrite, editor, "submit it (rewrite.submit)")
    if rewrite.article.status != Article.Status.PUBLISHED:
        raise RewriteRefused("Only a rewrite of a published article can be submitted.")
    refusal = _rewrite_text_refusal(rewrite.title, rewrite.body_markdown)
    if refusal:
        raise refusal
    if not rewrite.reader_note.strip():
        raise RewriteRefused("Write the note readers see while the rewrite awaits sign-off.")
    rewrite.status = Rewrite.Status.OPEN
    rewrite.submitted_at = timezone.now()
    rewrite.save(update_fields=["status", "submitted_at", "updated_at"])
    notify_admins(event=REWRITE_SUBMITTED, object_id=rewrite.pk)
    record.touch(rewrite.article)
    record.say(
        f"Rewrite submitted for sign-off: “{Truncator(rewrite.title).chars(120)}” — "
        f"{Truncator(rewrite.reader_note).chars(160)}"
    )
    return rewrite


def rewrite_lock(rewrite, *, states):
    """Lock the article, then the rewrite; refuse unless the rewrite is in one of `states`."""
    article = Article.objects.select_for_update().get(pk=rewrite.article_id)
    rewrite = Rewrite.objects.select_for_update().select_related("drafted_by").get(pk=rewrite.pk)
    if rewrite.status not in states:
        raise _already_decided(rewrite)
    rewrite.article = article
    return rewrite


def rewrite_lock_open(rewrite):
    """Lock the article, then the rewrite; refuse unless it awaits sign-off."""
    return rewrite_lock(rewrite, states=(Rewrite.Status.OPEN,))


def rewrite_decide(rewrite, *, status, user, reason=""):
    rewrite.status = status
    rewrite.decided_by = user
    rewrite.decided_at = timezone.now()
    rewrite.decision_reason = reason
    rewrite.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])


@action("rewrite.withdraw", role=EDITOR, actor="editor")
def rewrite_withdraw(*, rewrite, editor, record):
    """The drafting side takes a rewrite back, a private draft or one awaiting
    sign-off; the banner, if shown, goes away. An editor withdraws only their
    own rewrite; an admin any."""
    rewrite = rewrite_lock(rewrite, states=Rewrite.PENDING)
    _refuse_unless_theirs(rewrite, editor, "withdraw it (rewrite.withdraw)")
    was_draft = rewrite.is_draft
    rewrite_decide(rewrite, status=Rewrite.Status.WITHDRAWN, user=editor)
    record.touch(rewrite.article)
    record.say("Private draft of the rewrite discarded" if was_draft else "Rewrite withdrawn")
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
