import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from vigil.cachetags import shows, tag, tags_of
from vigil.conditional import CompiledRow, conditional, newest
from vigil.objectcache import ObjectFragments, badge_fragment, claim_tag
from vigil.pagecache import public_page
from vigil.pagination import BoundedPaginator
from vigil.rendering import render_markdown
from vigil.roles import admin_required, display_name, editor_required, is_admin, is_editor, staff_view

from .diff import rewrite_diff
from .forms import ArchiveFilterForm, RewriteApproveForm, RewriteForm, RewriteRejectForm
from .health import Health
from .models import Article, Page, Pillar, Revision, Rewrite, Section
from .services import RewriteRefused, rewrite_draft, rewrite_reject, rewrite_submit, rewrite_withdraw

HOME_ARTICLE_COUNT = 12
ARCHIVE_PAGE_SIZE = 20


# Badges and the recent verdict changes: a review anywhere may change the front page.
@public_page(lists=["article", "claim"])
def home(request):
    fragments = ObjectFragments(request)  # before the queries (vigil.objectcache)
    # A list, not a sliced queryset: the template takes the lead piece apart from the rest.
    # The recent verdict changes come from the reviews app's {% recent_verdict_changes %}.
    articles = _cards(fragments, Article.objects.for_listing(claims=False)[:HOME_ARTICLE_COUNT], lead=True)
    response = render(
        request,
        "articles/home.html",
        {"lead": articles[0] if articles else None, "articles": articles[1:], "fragments": fragments},
    )
    fragments.store()
    return response


def _cards(fragments, articles, *, lead=False):
    """`articles` as a list, each card kept by its article's and section's
    versions (a change to a claim touches its article); only the cards
    rendered now read their primary claim. With `lead`, the first is the
    lead story, a card of its own look."""
    articles = list(articles)
    def card_tags(article):
        return tags_of(article, article.section)
    cards = articles
    if lead and articles:
        fragments.want("lead-story", articles[:1], tags=card_tags)
        cards = articles[1:]
    fragments.want("article-card", cards, tags=card_tags)
    fragments.fetch()
    prefetch_related_objects(
        [*fragments.missing("lead-story"), *fragments.missing("article-card")], "claims"
    )
    return articles


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
    return _article_stamps.first(slug)


# Compiled once per process (vigil.conditional.CompiledRow): the validators of every article request.
_article_stamps = CompiledRow(
    lambda slug: (
        Article.objects.filter(slug=slug)
        .annotate(
            claims_changed=newest(Article, "claims__updated_at"),
            entries_changed=newest(Article, "correction_entries__created_at"),
            amendments_changed=newest(Article, "correction_entries__amendments__amended_at"),
            # Moves when a rewrite is saved, submitted (the banner appears) or decided.
            rewrites_changed=newest(Article, "rewrites__updated_at"),
        )
        .values(
            "pk", "updated_at", "claims_changed", "entries_changed", "amendments_changed",
            "rewrites_changed",
        )
    )
)


# ?retired=<slug>: the retirement notice ({% retirement_notice %}) reads it.
@public_page(params=["retired"])
@conditional("article", article_stamps)
def article_detail(request, slug):
    # Claims come in code order and their triggers by position (the models'
    # default orders); the log newest first, so it is turned around below.
    # Before the queries: kept fragments are checked against what happened since.
    fragments = ObjectFragments(request)
    article = get_object_or_404(
        Article.objects.select_related("section", "pillar", "redirect_to").prefetch_related(
            "claims", "correction_entries"
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
    # an id filter the count is an index-only scan of article_pillar_idx. Counted
    # only when the pillar box renders (publishing or retiring a piece touches its pillar).
    pillar_other_count = functools.cache(lambda: (
        Article.objects.published().filter(pillar=article.pillar_id).count() - 1
        if article.pillar_id
        else 0
    ))
    # The pillar box counts the pillar's pieces: publishing one touches its pillar.
    shows(request, article, *claims, article.pillar, article.section)
    # Oldest first: the log reads down the page in time.
    entries = article.correction_entries.all()[::-1]
    # Each claim's block and badge, each log entry and the head (JSON-LD) are
    # kept per object (vigil.objectcache); only the missing ones are prefetched
    # and rendered. An editor's entries show internal notes: kept apart.
    article_tags = [tag("article", article.slug)]
    fragments.want("article-head", [article], tags=lambda a: [*article_tags, *tags_of(a.section)])
    fragments.want(badge_fragment("large"), [primary_claim], tags=claim_tag)
    fragments.want("claim-block", claims, tags=claim_tag)
    fragments.want("log-entry", entries, tags=lambda entry: article_tags,
                   variant="staff" if staff_view(request) else "")
    # The rewrite banner (every rewrite action touches the article) and the pillar box.
    fragments.want("rewrite-banner", [article], tags=lambda a: article_tags)
    fragments.want("pillar-box", [article], tags=lambda a: [*article_tags, *tags_of(a.pillar)])
    fragments.fetch()
    prefetch_related_objects(fragments.missing("claim-block"), "triggers")
    context = {
        "article": article,
        "claims": claims,
        "primary_claim": primary_claim,
        "secondary_claims": [claim for claim in claims if claim is not primary_claim],
        "correction_entries": entries,
        "entries_to_render": fragments.missing("log-entry"),
        # Read only where its fragment renders.
        "open_rewrite": functools.cache(lambda: article.rewrites.open().first()),
        "pillar_other_count": pillar_other_count,
        "preview": preview,
        "fragments": fragments,
    }
    response = render(request, "articles/article_detail.html", context)
    fragments.store()
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
    fragments = ObjectFragments(request)  # before the queries (vigil.objectcache)
    pillar = get_object_or_404(Pillar.objects.with_health(on=timezone.localdate()), slug=slug)
    articles = _cards(fragments, Article.objects.for_listing(claims=False).filter(pillar=pillar))
    shows(request, pillar)
    context = {"pillar": pillar, "health": Health.of(pillar), "articles": articles, "fragments": fragments}
    response = render(request, "articles/pillar_detail.html", context)
    fragments.store()
    return response


@public_page(lists=["article", "claim"])
def section_detail(request, slug):
    fragments = ObjectFragments(request)  # before the queries (vigil.objectcache)
    section = get_object_or_404(Section, slug=slug)
    articles = _cards(fragments, Article.objects.for_listing(claims=False).filter(section=section))
    shows(request, section)
    context = {"section": section, "articles": articles, "fragments": fragments}
    response = render(request, "articles/section_detail.html", context)
    fragments.store()
    return response


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
    """Rewrites awaiting sign-off, private drafts in progress, recent decisions
    (with the admin's reason) and the published articles an editor can start a
    rewrite of."""
    rewrites = Rewrite.objects.select_related("article", "drafted_by", "decided_by")
    articles = Paginator(
        Article.objects.published().order_by("title").only("slug", "title", "published_on", "revised_on"),
        DESK_ARTICLES_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "articles/desk/rewrites.html",
        {
            "open_rewrites": rewrites.open().order_by("submitted_at", "pk"),
            "draft_rewrites": rewrites.filter(status=Rewrite.Status.DRAFT).order_by("-updated_at", "-pk"),
            "decided_rewrites": rewrites.exclude(status__in=Rewrite.PENDING).order_by("-decided_at")[
                :DESK_DECIDED_REWRITES
            ],
            "articles": articles,
            "can_sign_off": is_admin(request.user),
        },
    )


def _published_article(slug):
    return get_object_or_404(Article.objects.published(), slug=slug)


def rewrite_comparison(*, live, title, dek, body_markdown):
    """What the desk shows beside a rewrite's text: the word-level diff against
    `live` and the proposed text rendered as readers will see it (the public
    page's sanitiser)."""
    return {
        "diff": rewrite_diff(live=live, title=title, dek=dek, body_markdown=body_markdown),
        "proposed": {"title": title, "dek": dek, "body_html": render_markdown(body_markdown)},
    }


@editor_required
def desk_rewrite_draft(request, slug):
    """Draft a rewrite privately, with the diff against the live text and a
    rendered preview beside it. "Preview" (or htmx while typing) refreshes only
    those; "Save draft" keeps it privately (readers see nothing); "Submit for
    sign-off" saves it and puts it to the admins: readers then see the banner."""
    article = _published_article(slug)
    pending = article.rewrites.pending().select_related("drafted_by").first()
    if pending is not None and not (pending.is_draft and pending.withdrawable_by(request.user)):
        if pending.is_open:
            messages.info(request, "This article already has a rewrite awaiting sign-off.")
        else:
            messages.info(
                request, f"{display_name(pending.drafted_by)} is already drafting a rewrite of this article."
            )
        return redirect("articles:desk_rewrite", pk=pending.pk)
    source = pending or article
    initial = {
        "title": source.title,
        "dek": source.dek,
        "body_markdown": source.body_markdown,
        "reader_note": getattr(pending, "reader_note", ""),
    }
    form = RewriteForm(request.POST or None, initial=initial)
    previewing = request.method == "POST" and ("preview" in request.POST or request.htmx)
    submitting = request.method == "POST" and "submit" in request.POST
    status = 200
    if request.method == "POST" and not previewing:
        status = 400
        if form.is_valid() and submitting and not form.cleaned_data["reader_note"].strip():
            form.add_error("reader_note", "Write the note readers see while the rewrite awaits sign-off.")
        if form.is_valid():
            try:
                rewrite = rewrite_draft(article=article, editor=request.user, rewrite=pending, **form.cleaned_data)
                if submitting:
                    rewrite_submit(rewrite=rewrite, editor=request.user)
            except RewriteRefused as refused:
                form.add_error(None, str(refused))
            else:
                if submitting:
                    messages.success(request, "Rewrite submitted for sign-off; readers now see the banner.")
                    return redirect("articles:desk_rewrite", pk=rewrite.pk)
                messages.success(
                    request, "Draft saved privately: readers see nothing of it until you submit it for sign-off."
                )
                return redirect("articles:desk_rewrite_draft", slug=article.slug)
    proposed = form.data if form.is_bound else initial
    context = {
        "article": article,
        "form": form,
        "rewrite": pending,
        **rewrite_comparison(
            live=article,
            title=proposed.get("title", ""),
            dek=proposed.get("dek", ""),
            body_markdown=proposed.get("body_markdown", ""),
        ),
    }
    template = "articles/desk/rewrite_draft.html"
    if request.htmx:
        template += "#rewrite-diff"
    return render(request, template, context, status=status)


def rewrite_page(request, rewrite, *, approve_form=None, reject_form=None, status=200):
    comparison = {}
    if rewrite.status in Rewrite.PENDING:
        comparison = rewrite_comparison(
            live=rewrite.article, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown
        )
    elif rewrite.status == Rewrite.Status.APPROVED and hasattr(rewrite, "revision"):
        comparison = rewrite_comparison(
            live=rewrite.revision, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown
        )
    return render(
        request,
        "articles/desk/rewrite_detail.html",
        {
            "rewrite": rewrite,
            "article": rewrite.article,
            "diff": comparison.get("diff"),
            "proposed": {"title": rewrite.title, "dek": rewrite.dek, "body_html": rewrite.body_html},
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
def desk_rewrite_submit(request, pk):
    """Submit a saved private draft for sign-off from its page."""
    rewrite = get_rewrite(pk)
    try:
        rewrite_submit(rewrite=rewrite, editor=request.user)
    except RewriteRefused as refused:
        messages.error(request, str(refused))
        if rewrite.is_draft and rewrite.withdrawable_by(request.user):
            # What is missing (the note for readers) is typed on the drafting page.
            return redirect("articles:desk_rewrite_draft", slug=rewrite.article.slug)
    else:
        messages.success(request, "Rewrite submitted for sign-off; readers now see the banner.")
    return redirect("articles:desk_rewrite", pk=rewrite.pk)


@editor_required
@require_POST
def desk_rewrite_withdraw(request, pk):
    rewrite = get_rewrite(pk)
    was_draft = rewrite.is_draft
    try:
        rewrite_withdraw(rewrite=rewrite, editor=request.user)
    except RewriteRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, "Private draft discarded." if was_draft else "Rewrite withdrawn; the banner is gone."
        )
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
