from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from vigil.conditional import conditional, newest
from vigil.cachetags import shows
from vigil.pagecache import public_page
from vigil.pagination import BoundedPaginator
from vigil.roles import admin_required, editor_required, is_admin, is_editor

from .diff import rewrite_diff
from .forms import ArchiveFilterForm, RewriteApproveForm, RewriteForm, RewriteRejectForm
from .health import Health
from .models import Article, Page, Pillar, Revision, Rewrite, Section
from .services import RewriteRefused, rewrite_draft, rewrite_reject, rewrite_withdraw

HOME_ARTICLE_COUNT = 12
ARCHIVE_PAGE_SIZE = 20


# Badges and the recent verdict changes: a review anywhere may change the front page.
@public_page(lists=["article", "claim"])
def home(request):
    # A list, not a sliced queryset: the template takes the lead piece apart from the rest.
    # The recent verdict changes come from the reviews app's {% recent_verdict_changes %}.
    articles = list(Article.objects.for_listing()[:HOME_ARTICLE_COUNT])
    return render(
        request,
        "articles/home.html",
        {"lead": articles[0] if articles else None, "articles": articles[1:]},
    )


@public_page(params=[*ArchiveFilterForm.base_fields, "page"], lists=["article", "claim", "pillar"])
def archive(request):
    """Every published article, newest first, filterable by section and pillar:
    the home page shows only the latest, and nothing should be unreachable."""
    form = ArchiveFilterForm(request.GET)
    form.is_valid()  # a bad value is reported by its field; the valid one still applies
    articles = form.filter(Article.objects.for_listing())
    page = BoundedPaginator(articles, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "articles/archive.html", {"form": form, "page": page, "articles": page.object_list})


def article_stamps(request, slug):
    """What the article page shows changes with the article, its claims, its
    correction log (entries are append-only: the newest one says all a count
    would; amendments change their text) and its rewrites."""
    return (
        Article.objects.filter(slug=slug)
        .annotate(
            claims_changed=newest(Article, "claims__updated_at"),
            entries_changed=newest(Article, "correction_entries__created_at"),
            amendments_changed=newest(Article, "correction_entries__amendments__amended_at"),
            rewrites_changed=newest(
                Article, Coalesce("rewrites__decided_at", "rewrites__created_at")
            ),
        )
        .values(
            "pk", "updated_at", "claims_changed", "entries_changed", "amendments_changed",
            "rewrites_changed",
        )
        .first()
    )


# ?retired=<slug>: the retirement notice ({% retirement_notice %}) reads it.
@public_page(params=["retired"])
@conditional("article", article_stamps)
def article_detail(request, slug):
    # Claims come in code order and their triggers by position (the models'
    # default orders); the log newest first, so it is turned around below.
    article = get_object_or_404(
        Article.objects.select_related("section", "pillar", "redirect_to").prefetch_related(
            "claims__triggers", "correction_entries"
        ),
        slug=slug,
    )
    if article.status == Article.Status.RETIRED:
        # The reader lands on the closer-fit piece and is told why there
        # ({% retirement_notice %}, corrections' tag, reads the parameter).
        return redirect(
            f"{article.redirect_to.get_absolute_url()}?{urlencode({"retired": article.slug})}",
            permanent=True,
        )
    # Staff preview an unpublished piece at its own address; readers get a 404.
    # Only here is the user looked up: readers' published pages stay sessionless.
    preview = article.is_unpublished and is_editor(request.user)
    if not (article.is_published or preview):
        raise Http404("No such article.")

    # The primary claim first, then the others in code order.
    claims = sorted(article.claims.all(), key=lambda claim: not claim.is_primary)
    primary_claim = claims[0] if claims else None
    # The article is published, so "others" is the pillar's count less one: without
    # an id filter the count is an index-only scan of article_pillar_idx.
    pillar_other_count = (
        Article.objects.published().filter(pillar=article.pillar_id).count() - 1
        if article.pillar_id
        else 0
    )
    # The pillar box counts the pillar's pieces: publishing one touches its pillar.
    shows(request, article, *claims, article.pillar, article.section)
    context = {
        "article": article,
        "claims": claims,
        "primary_claim": primary_claim,
        "secondary_claims": [claim for claim in claims if claim is not primary_claim],
        # Oldest first: the log reads down the page in time.
        "correction_entries": article.correction_entries.all()[::-1],
        "open_rewrite": article.rewrites.open().first(),
        "pillar_other_count": pillar_other_count,
        "preview": preview,
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        # Never kept by a cache, never indexed.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


# Each pillar's health counts its claims' verdicts.
@public_page(lists=["pillar", "article", "claim"])
def pillar_index(request):
    pillars = [
        (pillar, Health.of(pillar))
        for pillar in Pillar.objects.with_health(on=timezone.localdate()).order_by("name")
    ]
    return render(request, "articles/pillar_index.html", {"pillars": pillars})


@public_page(lists=["article", "claim"])
def pillar_detail(request, slug):
    pillar = get_object_or_404(Pillar.objects.with_health(on=timezone.localdate()), slug=slug)
    articles = Article.objects.for_listing().filter(pillar=pillar)
    shows(request, pillar)
    context = {"pillar": pillar, "health": Health.of(pillar), "articles": articles}
    return render(request, "articles/pillar_detail.html", context)


@public_page(lists=["article", "claim"])
def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.for_listing().filter(section=section)
    shows(request, section)
    return render(request, "articles/section_detail.html", {"section": section, "articles": articles})


@public_page(lists=["page"])
def how_this_works(request):
    page = Page.objects.filter(slug=Page.METHOD_SLUG).first()
    shows(request, page)
    return render(request, "articles/how_this_works.html", {"page": page})


# Desk: rewrites, retirements and revisions ----------------------------------

DESK_ARTICLES_PAGE_SIZE = 50
DESK_DECIDED_REWRITES = 20


@editor_required
def desk_rewrites(request):
    """Open rewrites, recent decisions (with the admin's reason) and the
    published articles an editor can start a rewrite of."""
    rewrites = Rewrite.objects.select_related("article", "drafted_by", "decided_by")
    articles = Paginator(
        Article.objects.published().order_by("title").only("slug", "title", "published_on", "revised_on"),
        DESK_ARTICLES_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "articles/desk/rewrites.html",
        {
            "open_rewrites": rewrites.open().order_by("created_at"),
            "decided_rewrites": rewrites.exclude(status=Rewrite.Status.OPEN).order_by("-decided_at")[
                :DESK_DECIDED_REWRITES
            ],
            "articles": articles,
            "can_sign_off": is_admin(request.user),
        },
    )


def _published_article(slug):
    return get_object_or_404(Article.objects.published(), slug=slug)


@editor_required
def desk_rewrite_draft(request, slug):
    """Draft a rewrite with a diff against the live text. "Preview" (or htmx
    while typing) only refreshes the diff; "Submit" opens the rewrite."""
    article = _published_article(slug)
    open_rewrite = article.rewrites.open().first()
    if open_rewrite is not None:
        messages.info(request, "This article already has a rewrite awaiting sign-off.")
        return redirect("articles:desk_rewrite", pk=open_rewrite.pk)
    initial = {"title": article.title, "dek": article.dek, "body_markdown": article.body_markdown}
    form = RewriteForm(request.POST or None, initial=initial)
    previewing = request.method == "POST" and ("preview" in request.POST or request.htmx)
    status = 200
    if request.method == "POST" and form.is_valid() and not previewing:
        try:
            rewrite = rewrite_draft(article=article, editor=request.user, **form.cleaned_data)
        except RewriteRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Rewrite submitted for sign-off; readers now see the banner.")
            return redirect("articles:desk_rewrite", pk=rewrite.pk)
    if request.method == "POST" and not previewing:
        status = 400
    proposed = form.data if form.is_bound else initial
    diff = rewrite_diff(
        live=article,
        title=proposed.get("title", ""),
        dek=proposed.get("dek", ""),
        body_markdown=proposed.get("body_markdown", ""),
    )
    template = "articles/desk/rewrite_draft.html"
    if request.htmx:
        template += "#rewrite-diff"
    return render(request, template, {"article": article, "form": form, "diff": diff}, status=status)


def rewrite_page(request, rewrite, *, approve_form=None, reject_form=None, status=200):
    if rewrite.status == Rewrite.Status.OPEN:
        diff = rewrite_diff(
            live=rewrite.article, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown
        )
    elif rewrite.status == Rewrite.Status.APPROVED and hasattr(rewrite, "revision"):
        diff = rewrite_diff(
            live=rewrite.revision, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown
        )
    else:
        diff = None
    return render(
        request,
        "articles/desk/rewrite_detail.html",
        {
            "rewrite": rewrite,
            "article": rewrite.article,
            "diff": diff,
            "can_sign_off": is_admin(request.user),
            "can_withdraw": rewrite.withdrawable_by(request.user),
            "approve_form": approve_form or RewriteApproveForm(rewrite=rewrite),
            "reject_form": reject_form or RewriteRejectForm(rewrite=rewrite),
        },
        status=status,
    )


def get_rewrite(pk):
    return get_object_or_404(
        Rewrite.objects.select_related("article", "drafted_by", "decided_by", "revision"), pk=pk
    )


@editor_required
def desk_rewrite(request, pk):
    return rewrite_page(request, get_rewrite(pk))


@editor_required
@require_POST
def desk_rewrite_withdraw(request, pk):
    rewrite = get_rewrite(pk)
    try:
        rewrite_withdraw(rewrite=rewrite, editor=request.user)
    except RewriteRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Rewrite withdrawn; the banner is gone.")
    return redirect("articles:desk_rewrite", pk=rewrite.pk)


@admin_required
@require_POST
def desk_rewrite_reject(request, pk):
    rewrite = get_rewrite(pk)
    form = RewriteRejectForm(request.POST, rewrite=rewrite)
    if not form.is_valid():
        return rewrite_page(request, rewrite, reject_form=form, status=400)
    try:
        rewrite_reject(rewrite=rewrite, admin=request.user, reason=form.cleaned_data["reason"])
    except RewriteRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Rewrite rejected; the editor sees your reason.")
    return redirect("corrections:signoff_queue")


@editor_required
def desk_article_revisions(request, slug):
    """Staff read the earlier texts an approved rewrite replaced."""
    article = get_object_or_404(Article, slug=slug)
    revisions = Revision.objects.filter(article=article).select_related(
        "replaced_by_rewrite__drafted_by", "replaced_by_rewrite__decided_by"
    ).order_by("-created_at", "-pk")
    return render(request, "articles/desk/revisions.html", {"article": article, "revisions": revisions})
