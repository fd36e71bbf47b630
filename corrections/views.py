from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from django.views.decorators.http import require_POST

from articles.diff import rewrite_diff
from articles.forms import ArticleRetireForm, RewriteApproveForm, RewriteRejectForm
from articles.models import Article, Rewrite
from articles.services import RewriteRefused
from articles.views import get_rewrite, rewrite_page
from vigil.cachetags import tags_of
from vigil.objectcache import ObjectFragments
from vigil.pagecache import public_page
from vigil.pagination import KEYSET_PARAMS, KeysetPaginator
from vigil.ratelimit import form_rate_limited, honeypot_filled, too_many_posts
from vigil.roles import admin_required, editor_required, is_admin, staff_view

from .forms import AmendmentForm, ArticleFixForm, CorrectionEntryForm, CorrectionLogFilterForm, SignOffAnswerForm
from .models import NEWEST_FIRST, CorrectionEntry, SignOffRequest
from .report_forms import ErrorReportForm
from .services import (
    CorrectionLogRefused,
    article_fix,
    article_retire,
    correction_entry_amend,
    correction_entry_write,
    error_report_submit,
    rewrite_approve,
    signoff_answer,
)

LOG_PAGE_SIZE = 50
SIGNOFF_REWRITES_PER_PAGE = 3
SIGNOFF_REQUESTS_PER_PAGE = 10
DESK_RECENT_ENTRIES = 30


# Entries are written by actions that touch their article.
@public_page(params=[*CorrectionLogFilterForm.base_fields, *KEYSET_PARAMS], lists=["article", "pillar"])
def correction_log(request):
    """The site-wide correction log: every entry, newest first, by kind and pillar.
    A GET filter only, so the page carries no per-visitor state and caches whole."""
    fragments = ObjectFragments(request)  # before the queries (vigil.objectcache)
    filters = CorrectionLogFilterForm(request.GET or None)
    entries = (
        CorrectionEntry.objects.public()
        .select_related("article__pillar")
        .only("kind", "entry_on", "text", "article__slug", "article__title", "article__pillar__name",
              "article__pillar__slug")
        .newest_first()
    )
    # A bad value is reported by its field; the valid one still applies.
    filters.is_valid()
    chosen = getattr(filters, "cleaned_data", {})
    if chosen.get("kind"):
        entries = entries.filter(kind=chosen["kind"])
    if chosen.get("pillar"):
        entries = entries.filter(article__pillar__slug=chosen["pillar"])
    page = KeysetPaginator(entries, LOG_PAGE_SIZE, order=NEWEST_FIRST).page(request.GET)
    # Each entry is kept by its article's and pillar's versions (an amendment
    # touches the article); staff see who amended it: kept apart. Only the
    # entries rendered now read their amendments.
    fragments.want("site-log-entry", page.object_list,
                   tags=lambda entry: tags_of(entry.article, entry.article.pillar),
                   variant="staff" if staff_view(request) else "")
    fragments.fetch()
    query = request.GET.copy()
    for name in KEYSET_PARAMS:
        query.pop(name, None)
    response = render(
        request,
        "corrections/log.html",
        {"filters": filters, "page": page, "entries": page.object_list, "filter_query": query.urlencode(),
         "entries_to_render": fragments.missing("site-log-entry"), "fragments": fragments},
    )
    fragments.store()
    return response


@public_page
def policy(request):
    return render(request, "corrections/policy.html")


def report_error(request):
    """The corrections report form. Defences as on the dissent form (vigil.ratelimit);
    after a post the reader lands on ?sent=1, a confirmation with no state that
    leads back to the article reported on."""

    def sent_url(slug):
        return f"{reverse('corrections:report')}?{urlencode({'sent': 1, 'article': slug})}"

    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if honeypot_filled(request.POST):
            form_rate_limited(request, scope="error-report")  # the hit counts
            return redirect(sent_url(request.POST.get("article", "")))
        # Only a post that would be accepted counts: a reader fixing a typo is never locked out.
        if form.is_valid() and form_rate_limited(request, scope="error-report"):
            return too_many_posts(request, "corrections/report.html", {"form": form})
        if form.is_valid():
            data = form.cleaned_data
            try:
                error_report_submit(
                    article=data["article"],
                    what_is_wrong=data["what_is_wrong"],
                    evidence=data["evidence"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                )
            except ValidationError as refusal:
                field = "article" if refusal.code == "not_published" else "what_is_wrong"
                form.add_error(field, refusal)
            else:
                return redirect(sent_url(data["article"].slug))
    elif request.GET.get("sent"):
        article = Article.objects.published().filter(slug=request.GET.get("article", "")).only("slug", "title").first()
        return render(request, "corrections/report_received.html", {"article": article})
    else:
        form = ErrorReportForm(initial={"article": request.GET.get("article", "")})
    return render(request, "corrections/report.html", {"form": form})


# Desk ------------------------------------------------------------------------


@editor_required
def desk_entries(request):
    """Editors write correction-log entries, optionally with a sign-off request."""
    form = CorrectionEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = correction_entry_write(
                article=data["article"],
                kind=data["kind"],
                text=data["text"],
                editor=request.user,
                signoff_question=data["signoff_question"],
                signoff_addressed_to=data["signoff_addressed_to"],
                signoff_internal=data["signoff_internal"],
            )
        except CorrectionLogRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Entry added to the correction log of “{entry.article.title}”.")
            return redirect("corrections:desk_entries")
    entries = (
        CorrectionEntry.objects.select_related(
            "article", "created_by", "signoff_request__addressed_to", "signoff_request__answered_by"
        )
        .newest_first()[:DESK_RECENT_ENTRIES]
    )
    return render(
        request,
        "corrections/desk_entries.html",
        {"form": form, "entries": entries, "user_is_admin": is_admin(request.user)},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def entry_amend(request, pk):
    entry = get_object_or_404(CorrectionEntry.objects.select_related("article"), pk=pk)
    form = AmendmentForm(request.POST or None, initial={"new_text": entry.text})
    if request.method == "POST" and form.is_valid():
        try:
            correction_entry_amend(
                entry=entry,
                new_text=form.cleaned_data["new_text"],
                reason=form.cleaned_data["reason"],
                admin=request.user,
            )
        except CorrectionLogRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Entry amended; readers see that it was amended, when, why and the earlier text.")
            return redirect("corrections:desk_entries")
    amendments = entry.amendments.select_related("amended_by")
    return render(
        request,
        "corrections/amend.html",
        {"entry": entry, "form": form, "amendments": amendments},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def signoff_queue(request):
    """Admins' queue: open rewrites with their diff, open sign-off requests, retirements.
    Rewrites (each with its whole diff) and requests come a page at a time, oldest
    first, each list with its own page number (?rewrites=2, ?requests=3)."""
    rewrites = Paginator(
        Rewrite.objects.open().select_related("article", "drafted_by").order_by("submitted_at", "pk"),
        SIGNOFF_REWRITES_PER_PAGE,
    ).get_page(request.GET.get("rewrites"))
    for rewrite in rewrites:
        rewrite.diff = rewrite_diff(
            live=rewrite.article, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown
        )
        rewrite.approve_form = RewriteApproveForm(rewrite=rewrite)
        rewrite.reject_form = RewriteRejectForm(rewrite=rewrite)
    requests = Paginator(
        SignOffRequest.objects.open()
        .select_related("entry__article", "entry__created_by", "addressed_to")
        .order_by("created_at", "pk"),
        SIGNOFF_REQUESTS_PER_PAGE,
    ).get_page(request.GET.get("requests"))
    for signoff in requests:
        signoff.answerable = signoff.answerable_by(request.user)
    retired = (
        Article.objects.filter(status=Article.Status.RETIRED)
        .select_related("redirect_to", "retired_by")
        .order_by("-retired_at")[:10]
    )
    return render(
        request,
        "corrections/signoff_queue.html",
        {
            "rewrites": rewrites,
            "signoff_requests": requests,
            "retired_articles": retired,
            "answer_form": SignOffAnswerForm(),
        },
    )


@admin_required
def signoff_request_answer(request, pk):
    signoff = get_object_or_404(
        SignOffRequest.objects.select_related("entry__article", "addressed_to", "answered_by"), pk=pk
    )
    signoff.answerable = signoff.answerable_by(request.user)
    form = SignOffAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signoff_answer(request=signoff, answer=form.cleaned_data["answer"], admin=request.user)
        except CorrectionLogRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Sign-off request answered.")
        return redirect("corrections:signoff_queue")
    return render(
        request,
        "corrections/signoff_answer.html",
        {"signoff": signoff, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# Sign-off decisions that write the log ----------------------------------------


@admin_required
@require_POST
def desk_rewrite_approve(request, pk):
    rewrite = get_rewrite(pk)
    form = RewriteApproveForm(request.POST, rewrite=rewrite)
    if not form.is_valid():
        return rewrite_page(request, rewrite, approve_form=form, status=400)
    try:
        rewrite_approve(
            rewrite=rewrite,
            admin=request.user,
            open_review=form.cleaned_data["open_review"],
            entry_text=form.cleaned_data["entry_text"],
        )
    except RewriteRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Rewrite approved: “{rewrite.title}” is live.")
    return redirect("corrections:signoff_queue")


@admin_required
def desk_article_retire(request, slug):
    """Retire an article with a permanent redirect to a closer-fit piece."""
    article = get_object_or_404(Article, slug=slug)
    if article.status == Article.Status.RETIRED:
        messages.info(request, "This article is already retired.")
        return redirect("corrections:signoff_queue")
    form = ArticleRetireForm(request.POST or None, article=article)
    if request.method == "POST" and form.is_valid():
        try:
            article_retire(
                article=article,
                admin=request.user,
                redirect_to=form.cleaned_data["redirect_to"],
                reason=form.cleaned_data["reason"],
            )
        except RewriteRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"“{article.title}” retired; its URL now redirects permanently.")
            return redirect("corrections:signoff_queue")
    return render(
        request,
        "articles/desk/retire.html",
        {"article": article, "form": form, "open_rewrite": article.rewrites.pending().first()},
        status=400 if request.method == "POST" else 200,
    )


@editor_required
def desk_article_fix(request, slug):
    """Correct a small error in published text: the new text and its dated
    entry in one step, with the word-level diff against the live text."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    initial = {"title": article.title, "dek": article.dek, "body_markdown": article.body_markdown}
    form = ArticleFixForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article_fix(article=article, editor=request.user, **form.cleaned_data)
        except CorrectionLogRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Corrected: the old text is kept as a revision and the entry is dated today.")
            return redirect(article)
    proposed = form.data if form.is_bound else initial
    diff = rewrite_diff(
        live=article, title=proposed.get("title", ""), dek=proposed.get("dek", ""),
        body_markdown=proposed.get("body_markdown", ""),
    )
    return render(
        request, "corrections/article_fix.html", {"article": article, "form": form, "diff": diff},
        status=400 if request.method == "POST" else 200,
    )
