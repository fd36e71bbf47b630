"""Rewrites and retirements: the writes that change an article's live text or
its place on the site. Editors draft and withdraw; only admins approve, reject
and retire, and each decision records who and when.

Every decision locks the article row first, then the rewrite, so an approval
and a retirement of the same article never deadlock, and two admins pressing
"Approve" at once leave exactly one approval.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from corrections.models import CorrectionEntry
from corrections.services import correction_entry_create
from vigil.freshness import content_changed
from vigil.roles import is_admin, is_editor

from .models import Article, Revision, Rewrite


class RewriteRefused(Exception):
    """A rewrite or retirement action that changed nothing; the message says why."""


class RewriteAlreadyDecided(RewriteRefused):
    pass


class RetirementRefused(RewriteRefused):
    pass


def _display_name(user):
    return user.get_full_name() or user.get_username()


def _require(check, user, role):
    if not check(user):
        raise PermissionDenied(f"Only {role} may do this.")


def _already_decided(rewrite):
    return RewriteAlreadyDecided(
        f"This rewrite was already {rewrite.get_status_display().lower()}; nothing changed."
    )


@transaction.atomic
def rewrite_draft(*, article, editor, title, dek, body_markdown, reader_note):
    """Open a rewrite of a published article. While it is open the article page
    shows the "Rewrite in progress" banner with `reader_note`."""
    _require(is_editor, editor, "editors")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.PUBLISHED:
        raise RewriteRefused("Only a published article can be rewritten.")
    if Rewrite.objects.open().filter(article=article).exists():
        raise RewriteRefused("This article already has a rewrite awaiting sign-off.")
    if not (title or "").strip() or not (body_markdown or "").strip():
        raise RewriteRefused("A rewrite needs a title and a body.")
    if not (reader_note or "").strip():
        raise RewriteRefused("Write the note readers see while the rewrite is open.")
    # Rewrite.save renders the Markdown through articles.rendering.
    rewrite = Rewrite.objects.create(
        article=article,
        title=title.strip(),
        dek=(dek or "").strip(),
        body_markdown=body_markdown,
        reader_note=reader_note.strip(),
        drafted_by=editor,
    )
    transaction.on_commit(content_changed)
    return rewrite


def _lock_open_rewrite(rewrite):
    """Lock the article, then the rewrite; refuse unless the rewrite is still open."""
    article = Article.objects.select_for_update().get(pk=rewrite.article_id)
    rewrite = Rewrite.objects.select_for_update().get(pk=rewrite.pk)
    if rewrite.status != Rewrite.Status.OPEN:
        raise _already_decided(rewrite)
    rewrite.article = article
    return rewrite


def _decide(rewrite, *, status, user, reason=""):
    rewrite.status = status
    rewrite.decided_by = user
    rewrite.decided_at = timezone.now()
    rewrite.decision_reason = reason
    rewrite.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


@transaction.atomic
def rewrite_withdraw(*, rewrite, editor):
    """The drafting side takes an open rewrite back; the banner goes away."""
    _require(is_editor, editor, "editors")
    rewrite = _lock_open_rewrite(rewrite)
    _decide(rewrite, status=Rewrite.Status.WITHDRAWN, user=editor)
    transaction.on_commit(content_changed)
    return rewrite


def rewrite_entry_text(rewrite, *, on):
    """The default correction-log line for an approved rewrite."""
    text = f"Rewritten {on:%-d %b %Y}: the title, standfirst and body were replaced."
    if rewrite.title != rewrite.article.title:
        text += f" Previously titled “{rewrite.article.title}”."
    return text


@transaction.atomic
def rewrite_approve(*, rewrite, admin, open_review=False, entry_text=""):
    """Put a rewrite's text live. The old text is kept as a Revision, the
    revised date becomes today and a dated rewrite entry goes into the
    correction log. The claim's verdict is not touched here: it moves only
    through a review, which `open_review` makes due today."""
    _require(is_admin, admin, "admins")
    rewrite = _lock_open_rewrite(rewrite)
    article = rewrite.article
    if article.status == Article.Status.RETIRED:
        raise RewriteRefused("This article is retired: its rewrite cannot be approved.")
    if article.status != Article.Status.PUBLISHED:
        raise RewriteRefused("Only a rewrite of a published article can be approved.")

    today = timezone.localdate()
    entry_text = (entry_text or "").strip() or rewrite_entry_text(rewrite, on=today)
    Revision.objects.create(
        article=article,
        title=article.title,
        dek=article.dek,
        body_markdown=article.body_markdown,
        replaced_on=today,
        replaced_by_rewrite=rewrite,
    )
    article.title = rewrite.title
    article.dek = rewrite.dek
    article.body_markdown = rewrite.body_markdown
    article.revised_on = today
    article.drafted_by = _display_name(rewrite.drafted_by)
    article.signed_off_by = _display_name(admin)
    article.save()
    _decide(rewrite, status=Rewrite.Status.APPROVED, user=admin)

    primary_claim = article.claims.filter(is_primary=True).first()
    correction_entry_create(
        article=article,
        kind=CorrectionEntry.Kind.REWRITE,
        text=entry_text,
        entry_on=today,
        claim=primary_claim,
        created_by=admin,
    )
    if open_review and primary_claim is not None and primary_claim.next_review_due > today:
        primary_claim.next_review_due = today
        primary_claim.save(update_fields=["next_review_due"])
    transaction.on_commit(content_changed)
    return rewrite


@transaction.atomic
def rewrite_reject(*, rewrite, admin, reason):
    """Turn a rewrite down with a reason the editor sees; the live text stays."""
    _require(is_admin, admin, "admins")
    reason = (reason or "").strip()
    if not reason:
        raise RewriteRefused("Give the editor a reason for the rejection.")
    rewrite = _lock_open_rewrite(rewrite)
    _decide(rewrite, status=Rewrite.Status.REJECTED, user=admin, reason=reason)
    transaction.on_commit(content_changed)
    return rewrite


def _redirect_chain_reaches(target, article):
    """True if following redirect_to from `target` ever reaches `article` (a loop)."""
    seen = set()
    current = target
    while current is not None and current.pk not in seen:
        if current.pk == article.pk:
            return True
        seen.add(current.pk)
        current = (
            Article.objects.filter(pk=current.redirect_to_id).first() if current.redirect_to_id else None
        )
    return False


@transaction.atomic
def article_retire(*, article, admin, redirect_to, reason):
    """Retire a published article: it leaves listings and its URL answers with
    a permanent redirect to `redirect_to`, a published, different article.
    Articles already redirecting here are pointed at the new target, so every
    old URL reaches a live article in one hop. Any open rewrite is closed."""
    _require(is_admin, admin, "admins")
    reason = (reason or "").strip()
    if not reason:
        raise RetirementRefused("Say why the article is retired.")
    if redirect_to is None:
        raise RetirementRefused("Choose the article readers are sent to.")
    locked = Article.objects.select_for_update().filter(pk__in=[article.pk, redirect_to.pk]).order_by("pk")
    by_pk = {a.pk: a for a in locked}
    article, target = by_pk[article.pk], by_pk[redirect_to.pk]
    if article.status == Article.Status.RETIRED:
        raise RetirementRefused("This article is already retired; nothing changed.")
    if article.status != Article.Status.PUBLISHED:
        raise RetirementRefused("Only a published article can be retired.")
    if target.pk == article.pk:
        raise RetirementRefused("An article cannot redirect to itself.")
    if target.status != Article.Status.PUBLISHED:
        raise RetirementRefused("The redirect target must be a published article.")
    if _redirect_chain_reaches(target, article):
        raise RetirementRefused("That redirect would make a loop.")

    today = timezone.localdate()
    for rewrite in Rewrite.objects.select_for_update().open().filter(article=article):
        _decide(rewrite, status=Rewrite.Status.REJECTED, user=admin, reason=f"Article retired: {reason}")
    Article.objects.filter(redirect_to=article).update(redirect_to=target)
    article.status = Article.Status.RETIRED
    article.redirect_to = target
    article.retired_at = timezone.now()
    article.retired_by = admin
    article.save(update_fields=["status", "redirect_to", "retired_at", "retired_by", "updated_at"])
    correction_entry_create(
        article=article,
        kind=CorrectionEntry.Kind.UPDATE,
        text=f"Retired {today:%-d %b %Y}; readers are sent to “{target.title}”. {reason}",
        entry_on=today,
        created_by=admin,
    )
    transaction.on_commit(content_changed)
    return article
