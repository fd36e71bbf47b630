"""What the admins' notice of a piece submitted for sign-off says (sent
through vigil.notifications, one message per admin and submission)."""

from articles.models import Article
from vigil.notifications import Notice, desk_url

# The kind is here, beside the action that owes it (claims.services.article_submit).
ARTICLE_SUBMITTED = "article_submitted"


def describe_article_submitted(rows):
    article = Article.objects.select_related("section", "pillar").filter(pk=rows[0].object_id).first()
    # Signed off or sent back before the mail went out: nothing waits any more.
    if article is None or article.status != Article.Status.SUBMITTED:
        return None
    drafted = f" Drafted by {article.drafted_by}." if article.drafted_by else ""
    return Notice(
        subject=f"“{article.title}” awaits your sign-off",
        body=(
            f"“{article.title}” was submitted for sign-off.{drafted}\n"
            f"Section: {article.section or '—'} · Pillar: {article.pillar or '—'} · "
            f"{article.claims.count()} claim(s)\n\n"
            f"Preview it, then publish, schedule or send it back: "
            f"{desk_url('claims:desk_article_edit', slug=article.slug)}#sign-off\n"
        ),
    )
