"""Small factory functions for tests: each makes one thing with sensible
defaults and takes keyword overrides, so a test shows what it relies on."""

import datetime
import itertools

from django.contrib.auth.models import Group, User

from articles.models import Article, Pillar, Section
from claims.models import Verdict
from claims.services import claim_create
from corrections.models import CorrectionEntry

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


def make_claim(*, article=None, **fields):
    fields.setdefault("statement", "A checkable statement the article makes.")
    fields.setdefault("verdict", Verdict.PARTIAL)
    return claim_create(article=article or make_article(), **fields)


def make_correction(*, article, **fields):
    fields.setdefault("kind", CorrectionEntry.Kind.CLARIFICATION)
    fields.setdefault("entry_on", datetime.date(2026, 2, 1))
    fields.setdefault("text", "Clarified which survey the figure comes from.")
    return CorrectionEntry.objects.create(article=article, **fields)
