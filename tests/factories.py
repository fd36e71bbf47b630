"""Small factory functions for tests: each makes one thing with sensible
defaults and takes keyword overrides, so a test shows what it relies on."""

import datetime
import itertools

from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article, Pillar, Section

from claims.models import Claim, EvidenceTrigger, Verdict
from claims.services import claim_code_allocate
from corrections.models import CorrectionEntry, SignOffRequest

_seq = itertools.count(1)


def make_user(*, username=None, groups=(), **fields):
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password="correct horse battery", **fields
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_editor(**fields):
    return make_user(groups=["Editors"], is_staff=True, **fields)


def make_admin(**fields):
    return make_user(groups=["Admins"], is_staff=True, **fields)


def make_pillar(**fields):
    n = next(_seq)
    fields.setdefault("name", f"Pillar {n}")
    fields.setdefault("slug", f"pillar-{n}")
    fields.setdefault("description", "A cluster of related pieces.")
    return Pillar.objects.create(**fields)


def make_section(**fields):
    n = next(_seq)
    fields.setdefault("name", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    return Section.objects.create(**fields)


def make_article(**fields):
    n = next(_seq)
    fields.setdefault("title", f"Article number {n}")
    fields.setdefault("slug", f"article-{n}")
    fields.setdefault("dek", "A standfirst that says what the piece argues.")
    fields.setdefault("body_markdown", "The body of the piece.\n\nA second paragraph.")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_on", datetime.date(2026, 1, 15))
    if "section" not in fields:
        fields["section"] = make_section()
    return Article.objects.create(**fields)


def make_claim(*, article=None, triggers=(), prefix=None, **fields):
    """A claim under a fresh code, written directly: test data, not an editor's
    action (tests of claim_create call the action themselves)."""
    fields.setdefault("statement", "A checkable statement the article makes.")
    fields.setdefault("verdict", Verdict.PARTIAL)
    fields.setdefault("cadence_days", 60)
    if "next_review_due" not in fields or fields["next_review_due"] is None:
        start = fields.get("last_reviewed_on") or timezone.localdate()
        fields["next_review_due"] = start + datetime.timedelta(days=fields["cadence_days"])
    claim = Claim.objects.create(
        code=claim_code_allocate(prefix=prefix), article=article or make_article(), **fields
    )
    EvidenceTrigger.objects.bulk_create(
        EvidenceTrigger(claim=claim, text=text, position=position) for position, text in enumerate(triggers)
    )
    return claim


def make_entry(*, article, kind=CorrectionEntry.Kind.UPDATE, text="Updated the figures.", entry_on=None,
               signoff_question="", signoff_addressed_to=None, signoff_internal=False, **fields):
    """A correction-log entry (with an optional open sign-off request) written
    directly as test data; tests of the entry actions call them instead."""
    entry = CorrectionEntry.objects.create(
        article=article, kind=kind, text=text, entry_on=entry_on or timezone.localdate(), **fields
    )
    if signoff_question:
        SignOffRequest.objects.create(
            entry=entry, question=signoff_question, addressed_to=signoff_addressed_to, internal=signoff_internal
        )
    return entry


def make_correction(*, article, **fields):
    fields.setdefault("kind", CorrectionEntry.Kind.CLARIFICATION)
    fields.setdefault("entry_on", datetime.date(2026, 2, 1))
    fields.setdefault("text", "Clarified which survey the figure comes from.")
    return CorrectionEntry.objects.create(article=article, **fields)


def make_submitted_rewrite(*, article, editor, **fields):
    """A rewrite drafted privately and submitted for sign-off, through the two
    actions an editor takes (rewrite.draft, rewrite.submit): readers see its banner."""
    from articles.services import rewrite_draft, rewrite_submit

    fields.setdefault("title", "A sharper title")
    fields.setdefault("dek", "A new standfirst.")
    fields.setdefault("body_markdown", "The new body.")
    fields.setdefault("reader_note", "This piece is being rewritten.")
    rewrite = rewrite_draft(article=article, editor=editor, **fields)
    return rewrite_submit(rewrite=rewrite, editor=editor)
