from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import Truncator

from articles.diff import describe_changes, rewrite_diff
from articles.models import Article, Revision, Rewrite
from articles.services import RetirementRefused, RewriteRefused, rewrite_decide, rewrite_lock_open
from claims.models import Claim
from claims.services import claim_make_due
from vigil.actions import ADMIN, EDITOR, READER, action, require_running
from vigil.notifications import notify_editors
from vigil.roles import display_name, is_admin

from .models import Amendment, CorrectionEntry, ErrorReport, SignOffRequest

HAND_WRITTEN_KINDS = frozenset(
    {CorrectionEntry.Kind.CORRECTION, CorrectionEntry.Kind.CLARIFICATION, CorrectionEntry.Kind.UPDATE}
)


def _entry_append(*, article, kind, text, record, claim=None, created_by=None,
                  signoff_question="", signoff_addressed_to=None, signoff_internal=False):
    """Append a dated entry to an article's correction log. Only an action may:
    the entries the system writes (verdict changes, material dissent, rewrites,
    retirements) exist only because their action ran. Every entry is dated
    today, the day it reaches readers: never backdated, never ahead."""
    require_running("A correction-log entry")
    today = timezone.localdate()
    if not article.is_published or article.published_on is None or article.published_on > today:
        raise CorrectionLogRefused("Only a published article has a correction log.")
    text = (text or "").strip()
    if not text:
        raise CorrectionLogRefused("Write the entry as readers will read it.")
    if claim is not None and claim.article_id != article.pk:
        raise CorrectionLogRefused(f"{claim.code} is a claim of another article.")
    entry = CorrectionEntry.objects.create(
        article=article, kind=kind, text=text, entry_on=today, claim=claim, created_by=created_by
    )
    if signoff_question:
        SignOffRequest.objects.create(
            entry=entry, question=signoff_question, addressed_to=signoff_addressed_to,
            internal=signoff_internal,
        )
    record.touch(article)
    if claim is not None:
        record.touch(claim=claim.code)
    record.say(f"{entry.get_kind_display()} entry: {Truncator(text).chars(200)}")
    return entry


@action("correction.write", role=EDITOR, actor="editor")
def correction_entry_write(*, article, kind, text, editor, claim=None, signoff_question="",
                           signoff_addressed_to=None, signoff_internal=False, record):
    """An editor's own entry: a correction, clarification or update, dated today.
    An entry about something earlier says so in its text."""
    if kind not in HAND_WRITTEN_KINDS:
        label = CorrectionEntry.Kind(kind).label if kind in CorrectionEntry.Kind.values else kind
        raise CorrectionLogRefused(
            f"A “{label}” entry is written by the action it records (a review, a weighing, "
            "a sign-off), never by hand. Write a correction, a clarification or an update."
        )
    signoff_question = (signoff_question or "").strip()
    if signoff_question and (signoff_addressed_to is None or not is_admin(signoff_addressed_to)):
        raise CorrectionLogRefused("Address the sign-off request to an admin.")
    return _entry_append(
        article=article, kind=kind, text=text, claim=claim, created_by=editor, record=record,
        signoff_question=signoff_question, signoff_addressed_to=signoff_addressed_to,
        signoff_internal=signoff_internal,
    )


def verdict_change_entry(*, claim, editor, verdict_before, verdict_after, reasoning, record):
    """The dated line a review writes when it moves a published claim's verdict."""
    return _entry_append(
        article=claim.article,
        claim=claim,
        kind=CorrectionEntry.Kind.VERDICT_CHANGE,
        created_by=editor,
        record=record,
        text=(
            f"Verdict on {claim.code} changed from {verdict_before.label} to {verdict_after.label} "
            f"after review. {Truncator(reasoning).chars(400)}"
        ),
    )


def material_dissent_entry(*, dissent, editor, note, record):
    """The change-history line for dissent weighed as material (credited only with consent)."""
    credit = f" from {dissent.credit}" if dissent.credit else " from a reader"
    return _entry_append(
        article=dissent.claim.article,
        claim=dissent.claim,
        kind=CorrectionEntry.Kind.MATERIAL_DISSENT,
        created_by=editor,
        record=record,
        text=f"Material dissent{credit} on {dissent.claim.code} weighed. {note}".strip(),
    )


class CorrectionLogRefused(Exception):
    """A correction-log action that changed nothing; the message says why."""


class SignOffAlreadyAnswered(CorrectionLogRefused):
    pass


@action("correction.amend", role=ADMIN, actor="admin")
def correction_entry_amend(*, entry, new_text, reason, admin, record):
    """Replace an entry's text (admins only). Readers see the new text, and that
    it was amended, when and why, with the earlier text (an Amendment)."""
    new_text, reason = (new_text or "").strip(), (reason or "").strip()
    if not new_text:
        raise CorrectionLogRefused("The amended text cannot be empty.")
    if not reason:
        raise CorrectionLogRefused("Say why the entry is amended.")
    entry = CorrectionEntry.objects.select_for_update(of=("self",)).select_related("article").get(pk=entry.pk)
    if new_text == entry.text:
        raise CorrectionLogRefused("The new text is the same as the current one; nothing changed.")
    amendment = Amendment.objects.create(
        entry=entry, previous_text=entry.text, new_text=new_text, reason=reason, amended_by=admin
    )
    entry.text = new_text
    # The one sanctioned update of an entry: update_fields passes the append-only guard.
    entry.save(update_fields=["text"])
    record.touch(entry.article)
    record.say(f"Amended entry {entry.pk} ({reason[:200]}): “{Truncator(amendment.previous_text).chars(200)}” → “{Truncator(new_text).chars(200)}”")
    return amendment


@action("signoff.answer", role=ADMIN, actor="admin")
def signoff_answer(*, request, answer, admin, record):
    """Answer an open sign-off request, recording the answer, who and when: the
    admin it is addressed to answers it, or a superuser. A request is answered
    once: a second answer changes nothing and says so."""
    answer = (answer or "").strip()
    if not answer:
        raise CorrectionLogRefused("Write an answer.")
    request = (
        SignOffRequest.objects.select_for_update(of=("self",))
        .select_related("entry__article", "addressed_to")
        .get(pk=request.pk)
    )
    if not request.is_open:
        raise SignOffAlreadyAnswered(
            f"This sign-off request was already answered on {timezone.localtime(request.answered_at):%d %b %Y %H:%M}; nothing changed."
        )
    if not request.answerable_by(admin):
        raise PermissionDenied(
            f"This request is addressed to {display_name(request.addressed_to)}: "
            "only they or a superuser may answer it (signoff.answer)."
        )
    request.answer = answer
    request.answered_by = admin
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    record.touch(request.entry.article)
    record.say(f"Answered “{Truncator(request.question).chars(160)}”: {Truncator(answer).chars(200)}")
    return request


# --- Sign-off decisions that write the log: approving a rewrite, retiring ----
# They live here, not in articles, because each writes the correction log.


def rewrite_entry_text(rewrite, *, on):
    """The default correction-log line for an approved rewrite: what actually changed."""
    changes = describe_changes(
        rewrite_diff(
            live=rewrite.article, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown
        )
    )
    text = f"Rewritten {on:%-d %b %Y}: {changes}."
    if rewrite.title != rewrite.article.title:
        text += f" Previously titled “{rewrite.article.title}”."
    return text


def _revision_keep(article, *, on, rewrite=None):
    """Keep the live text as a Revision before it is replaced (staff read it)."""
    return Revision.objects.create(
        article=article,
        title=article.title,
        dek=article.dek,
        body_markdown=article.body_markdown,
        replaced_on=on,
        replaced_by_rewrite=rewrite,
    )


@action("article.fix", role=EDITOR, actor="editor")
def article_fix(*, article, editor, title, dek, body_markdown, entry_text, record):
    """A small fix to published text (a typo, a wrong figure), made as a
    correction in one step: the old text is kept as a Revision, the new text
    goes live, the revised date becomes today and the dated correction entry
    says what changed. Anything bigger is a rewrite."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.PUBLISHED:
        raise CorrectionLogRefused("Only a published article's text is corrected.")
    title, dek = (title or "").strip(), (dek or "").strip()
    if not title or not (body_markdown or "").strip():
        raise CorrectionLogRefused("The corrected text needs a title and a body.")
    if (title, dek, body_markdown) == (article.title, article.dek, article.body_markdown):
        raise CorrectionLogRefused("The text is unchanged: change it, or write the entry on its own.")
    today = timezone.localdate()
    _revision_keep(article, on=today)
    article.title, article.dek, article.body_markdown = title, dek, body_markdown
    article.revised_on = today
    article.save(update_fields=["title", "dek", "body_markdown", "revised_on", "updated_at"])
    return _entry_append(
        article=article, kind=CorrectionEntry.Kind.CORRECTION, text=entry_text, created_by=editor, record=record
    )


@action("rewrite.approve", role=ADMIN, actor="admin")
def rewrite_approve(*, rewrite, admin, open_review=False, entry_text="", record):
    """Put a rewrite's text live. The old text is kept as a Revision, the
    revised date becomes today and a dated rewrite entry goes into the
    correction log. The claim's verdict is not touched here: it moves only
    through a review, which `open_review` makes due today."""
    rewrite = rewrite_lock_open(rewrite)
    article = rewrite.article
    if article.status == Article.Status.RETIRED:
        raise RewriteRefused("This article is retired: its rewrite cannot be approved.")
    if article.status != Article.Status.PUBLISHED:
        raise RewriteRefused("Only a rewrite of a published article can be approved.")

    today = timezone.localdate()
    entry_text = (entry_text or "").strip() or rewrite_entry_text(rewrite, on=today)
    _revision_keep(article, on=today, rewrite=rewrite)
    article.title = rewrite.title
    article.dek = rewrite.dek
    article.body_markdown = rewrite.body_markdown
    article.revised_on = today
    article.drafted_by = display_name(rewrite.drafted_by)
    article.signed_off_by = display_name(admin)
    article.save()
    rewrite_decide(rewrite, status=Rewrite.Status.APPROVED, user=admin)

    primary_claim = (
        Claim.objects.select_for_update(of=("self",)).filter(article=article, is_primary=True).first()
    )
    _entry_append(
        article=article,
        kind=CorrectionEntry.Kind.REWRITE,
        text=entry_text,
        claim=primary_claim,
        created_by=admin,
        record=record,
    )
    if open_review and primary_claim is not None and claim_make_due(primary_claim, on=today):
        record.say(f"{primary_claim.code} made due for review today")
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


@action("article.retire", role=ADMIN, actor="admin")
def article_retire(*, article, admin, redirect_to, reason, record):
    """Retire a published article: it leaves listings and its URL answers with
    a permanent redirect to `redirect_to`, a published, different article.
    Articles already redirecting here are pointed at the new target, so every
    old URL reaches a live article in one hop. A rewrite in progress (a private
    draft or one awaiting sign-off) is closed."""
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
    for rewrite in Rewrite.objects.select_for_update().pending().filter(article=article):
        rewrite_decide(rewrite, status=Rewrite.Status.REJECTED, user=admin, reason=f"Article retired: {reason}")
    Article.objects.filter(redirect_to=article).update(redirect_to=target)
    # The entry first: the log belongs to a published article, and this is its last line.
    _entry_append(
        article=article,
        kind=CorrectionEntry.Kind.RETIREMENT,
        text=f"Retired {today:%-d %b %Y}; readers are sent to “{target.title}”. {reason}",
        created_by=admin,
        record=record,
    )
    article.status = Article.Status.RETIRED
    article.redirect_to = target
    article.retired_at = timezone.now()
    article.retired_by = admin
    article.save(update_fields=["status", "redirect_to", "retired_at", "retired_by", "updated_at"])
    # Its pillar and section no longer list it.
    pillar, section = (
        Article.objects.filter(pk=article.pk).values_list("pillar__slug", "section__slug").get()
    )
    record.touch(target, pillar=pillar, section=section)
    return article


# --- Error reports from readers (the corrections report form) ------------------


class ErrorReportAlreadyHandled(Exception):
    pass


@action("error_report.submit", role=READER)
def error_report_submit(*, article, what_is_wrong, evidence="", contact_name="", contact_email="", record):
    """Receive a reader's report of a factual error in a published article."""
    if not article.is_published:
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
    record.touch(article)
    record.say(f"Error report {report.pk} received")
    return report


def _open_report_for_update(report):
    report = ErrorReport.objects.select_for_update().select_related("article").get(pk=report.pk)
    if report.status != ErrorReport.Status.OPEN:
        raise ErrorReportAlreadyHandled(f"This report was already {report.get_status_display().lower()}.")
    return report


@action("error_report.decline", role=EDITOR, actor="editor")
def error_report_decline(*, report, editor, record):
    """Close a report that does not show an error. Nothing changes for readers."""
    report = _open_report_for_update(report)
    report.status = ErrorReport.Status.DECLINED
    report.handled_by = editor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at"])
    record.touch(report.article)
    record.say(f"Error report {report.pk} declined")
    return report


@action("error_report.correct", role=EDITOR, actor="editor")
def error_report_correct(*, report, editor, text, kind=CorrectionEntry.Kind.CORRECTION, record):
    """Turn a report into a dated entry of the article's correction log."""
    report = _open_report_for_update(report)
    if kind not in (CorrectionEntry.Kind.CORRECTION, CorrectionEntry.Kind.CLARIFICATION):
        raise ValidationError("A report becomes a correction or a clarification.", code="kind")
    if not text.strip():
        raise ValidationError("Write the correction-log entry.", code="required")
    report.correction_entry = _entry_append(
        article=report.article, kind=kind, text=text, created_by=editor, record=record
    )
    report.status = ErrorReport.Status.CORRECTED
    report.handled_by = editor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "correction_entry", "handled_by", "handled_at"])
    return report
