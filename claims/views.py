from django.contrib import messages
from django.db.models import Case, Count, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.models import Article
from vigil.cachetags import tags_of
from vigil.objectcache import ObjectFragments
from vigil.pagecache import public_page
from vigil.pagination import KEYSET_PARAMS, KeysetPaginator, whole_number
from vigil.rendering import reading_minutes, render_markdown
from vigil.roles import admin_required, display_name, editor_required, is_admin

from .forms import (
    ArticleDraftForm,
    ClaimDraftFormSet,
    LedgerFilterForm,
    SendBackForm,
    SignOffForm,
    claim_draft_initial,
)
from .models import Claim
from .search import MAX_QUERY_LENGTH, SearchForm, search
from .services import (
    DraftConflict,
    PublicationRefused,
    article_draft_save,
    article_publish,
    article_send_back,
    article_submit,
)

LEDGER_PAGE_SIZE = 50


@public_page(params=[*LedgerFilterForm.base_fields, *KEYSET_PARAMS], lists=["claim", "article", "pillar"])
def ledger(request):
    """Every claim of a live article, filterable and sortable by next review."""
    fragments = ObjectFragments(request)  # before the queries (vigil.objectcache)
    today = timezone.localdate()
    claims = Claim.objects.active().select_related("article__pillar")
    form = LedgerFilterForm(request.GET)
    form.is_valid()  # a bad value is reported by its field; the valid ones still apply
    claims = form.filter(claims, on=today)
    page = KeysetPaginator(claims, LEDGER_PAGE_SIZE, order=form.order()).page(request.GET)
    # Each row is kept by its article's and pillar's versions: every change to
    # a claim touches its article (Claim.event_subjects).
    fragments.want("ledger-row", page.object_list, tags=lambda claim: tags_of(claim.article, claim.article.pillar))
    fragments.fetch()
    response = render(request, "claims/ledger.html", {"form": form, "page": page, "fragments": fragments})
    fragments.store()
    return response


@public_page(params=SearchForm.base_fields, lists=["article", "claim", "pillar"])
def search_page(request):
    """Search articles and claims. A search page, not a form post: GET only, no
    per-visitor state, so it can be cached like any public page."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound:
        # Invalid filters are dropped (and said so next to the field); the words still search.
        data = form.cleaned_data if form.is_valid() else {
            name: form.cleaned_data.get(name) for name in ("q", "pillar", "verdict")
        }
        results = search(data.get("q") or "", pillar=data.get("pillar"), verdict=data.get("verdict"))
    return render(
        request, "claims/search.html", {"form": form, "results": results, "max_query_length": MAX_QUERY_LENGTH}
    )


# --- Desk: drafting, sign-off ----------------------------------------------------

DESK_DRAFTS_LIMIT = 100


@editor_required
def desk_articles(request):
    """Everything not yet published: what awaits sign-off first, then drafts and
    scheduled pieces, most recently changed first."""
    order = Case(
        When(status=Article.Status.SUBMITTED, then=0),
        When(status=Article.Status.SCHEDULED, then=1),
        default=2,
    )
    articles = (
        Article.objects.filter(status__in=Article.UNPUBLISHED)
        .select_related("section")
        .defer("body_markdown", "body_html")
        .annotate(claim_count=Count("claims"))
        .order_by(order, "-updated_at", "-pk")[:DESK_DRAFTS_LIMIT]
    )
    return render(request, "claims/desk/articles.html", {"articles": articles})


def _editable_article(slug):
    return get_object_or_404(
        Article.objects.select_related("section", "pillar").prefetch_related("claims__triggers"), slug=slug
    )


def _draft_page(request, article, form, claims_formset, *, status=200, sign_off_form=None, send_back_form=None):
    codes = {claim.pk: claim.code for claim in article.claims.all()} if article else {}
    for claim_form in claims_formset:
        claim_id = claim_form["claim_id"].value()
        claim_form.code = codes.get(whole_number(str(claim_id or "")))
    context = {
        "article": article,
        "form": form,
        "claims_formset": claims_formset,
        "preview": article_preview(form["body_markdown"].value() or ""),
        "can_sign_off": is_admin(request.user),
        "sign_off_form": sign_off_form or SignOffForm(),
        "send_back_form": send_back_form or SendBackForm(),
    }
    template = "claims/desk/article_edit.html"
    if request.htmx and request.POST.get("add_claim"):
        template += "#draft-claims"
    return render(request, template, context, status=status)


def _with_another_claim(data):
    """The submitted data with one more blank claim form: "Add another claim"."""
    data = data.copy()
    total = int(data.get("claims-TOTAL_FORMS") or 0)
    data["claims-TOTAL_FORMS"] = str(total + 1)
    # The new form is bound like the others: give it the blank form's defaults.
    blank = ClaimDraftFormSet(prefix="claims").empty_form
    for name, field in blank.fields.items():
        if field.initial is not None:
            data[f"claims-{total}-{name}"] = str(field.initial)
    return data


@editor_required
def desk_article_edit(request, slug=None):
    """Draft an article with its claims on one page: the article's fields, a
    live preview of the body (htmx; the Preview button without JavaScript), the
    claims with their triggers, and the lifecycle buttons. Codes are handed out
    at the first save and shown at once."""
    article = _editable_article(slug) if slug else None
    if article is not None and not article.is_unpublished:
        return render(request, "claims/desk/article_published.html", {"article": article})
    if request.method != "POST":
        initial = {"drafted_by": display_name(request.user)} if article is None else {}
        form = ArticleDraftForm(instance=article, initial={**initial, "draft_version": getattr(article, "draft_version", None)})
        claims_formset = ClaimDraftFormSet(
            prefix="claims", initial=claim_draft_initial(article) if article else None
        )
        return _draft_page(request, article, form, claims_formset)

    data = request.POST
    if data.get("add_claim"):
        data = _with_another_claim(data)
    form = ArticleDraftForm(data, request.FILES, instance=article)
    claims_formset = ClaimDraftFormSet(data, prefix="claims")
    if data.get("add_claim") or data.get("preview"):
        return _draft_page(request, article, form, claims_formset)
    if not (form.is_valid() and claims_formset.is_valid()):
        return _draft_page(request, article, form, claims_formset, status=400)
    try:
        saved = article_draft_save(
            editor=request.user,
            article=article,
            fields=form.draft_fields(),
            cover=form.new_cover(),
            claims=claims_formset.claim_drafts(),
            expected_version=form.cleaned_data.get("draft_version"),
        )
    except DraftConflict as conflict:
        form.add_error(None, str(conflict))
        # Saving again now replaces their version with yours, knowingly.
        form.data = form.data.copy()
        form.data["draft_version"] = str(conflict.article.draft_version)
        return _draft_page(request, article, form, claims_formset, status=409)
    except PublicationRefused as refused:
        form.add_error(None, str(refused))
        return _draft_page(request, article, form, claims_formset, status=400)
    codes = ", ".join(saved.claims.order_by("-is_primary", "code").values_list("code", flat=True))
    messages.success(request, f"Draft saved{f' with claims {codes}' if codes else ''}.")
    return redirect("claims:desk_article_edit", slug=saved.slug)


def article_preview(body_markdown):
    """The body as readers will see it (the public page's sanitiser) and its reading time."""
    return {"html": render_markdown(body_markdown), "minutes": reading_minutes(body_markdown)}


@editor_required
@require_POST
def desk_article_preview(request):
    """htmx, while typing: the rendered body and reading time beside the textarea."""
    preview = article_preview(request.POST.get("body_markdown", ""))
    return render(request, "claims/desk/article_edit.html#draft-preview", {"preview": preview})


def _lifecycle(request, slug, step, **kwargs):
    article = get_object_or_404(Article, slug=slug)
    try:
        step(article=article, **kwargs)
    except PublicationRefused as refused:
        messages.error(request, str(refused))
        return False
    return True


@editor_required
@require_POST
def desk_article_submit(request, slug):
    if _lifecycle(request, slug, article_submit, editor=request.user):
        messages.success(request, "Submitted for sign-off: an admin publishes it or sends it back.")
    return redirect("claims:desk_article_edit", slug=slug)


def _lifecycle_page(request, slug, **forms):
    """The draft page again, with the lifecycle form that was refused and what was typed in it."""
    article = _editable_article(slug)
    form = ArticleDraftForm(instance=article, initial={"draft_version": article.draft_version})
    claims_formset = ClaimDraftFormSet(prefix="claims", initial=claim_draft_initial(article))
    return _draft_page(request, article, form, claims_formset, status=400, **forms)


@admin_required
@require_POST
def desk_article_sign_off(request, slug):
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _lifecycle_page(request, slug, sign_off_form=form)
    moment = form.moment()
    if _lifecycle(request, slug, article_publish, admin=request.user, at=moment):
        if moment:
            messages.success(request, f"Signed off: it goes live on {timezone.localtime(moment):%d %b %Y at %H:%M}.")
        else:
            messages.success(request, "Signed off and published.")
    return redirect("claims:desk_article_edit", slug=slug)


@admin_required
@require_POST
def desk_article_send_back(request, slug):
    form = SendBackForm(request.POST)
    if not form.is_valid():
        return _lifecycle_page(request, slug, send_back_form=form)
    if _lifecycle(request, slug, article_send_back, admin=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, "Sent back to draft; the editor sees your reason.")
    return redirect("claims:desk_article_edit", slug=slug)
