from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from articles.models import Article
from corrections.models import CorrectionEntry, ErrorReport
from corrections.services import (
    ErrorReportAlreadyHandled,
    error_report_correct,
    error_report_decline,
)
from vigil.ratelimit import form_rate_limited, honeypot_filled, too_many_posts
from vigil.roles import editor_required

from .forms import DissentForm, DissentWeighForm, ReportHandleForm
from .models import Dissent
from .services import DissentAlreadyWeighed, DissentRefused, dissent_reject, dissent_submit, dissent_weigh

QUEUE_SIZE = 50


def article_open_for_readers(request, slug, template):
    """The published article, or a response explaining why it is not open:
    410 for a retired piece (with where it went), 404 for anything else."""
    article = get_object_or_404(Article.objects.select_related("redirect_to"), slug=slug)
    if article.status == Article.Status.RETIRED:
        return None, render(request, template, {"article": article}, status=410)
    if article.status != Article.Status.PUBLISHED:
        raise Http404("No such article.")
    return article, None


def submit_dissent(request, slug):
    article, gone = article_open_for_readers(request, slug, "dissent/gone.html")
    if gone:
        return gone
    if request.method == "POST":
        form = DissentForm(request.POST, article=article)
        if honeypot_filled(request.POST):
            # Tell a bot nothing: the same confirmation, and nothing written; the hit counts.
            form_rate_limited(request, scope="dissent")
            return redirect("dissent:received", slug=article.slug)
        # Only a post that would be accepted counts: a reader fixing a typo is never locked out.
        if form.is_valid() and form_rate_limited(request, scope="dissent"):
            return too_many_posts(request, "dissent/submit.html", {"article": article, "form": form})
        if form.is_valid():
            data = form.cleaned_data
            try:
                dissent_submit(
                    claim=data["claim"],
                    argument=data["argument"],
                    sources=data["sources"],
                    name=data["name"],
                    email=data["email"],
                    consent_to_credit=data["consent_to_credit"],
                )
            except DissentRefused as refusal:
                form.add_error(refusal.field, refusal)
            else:
                return redirect("dissent:received", slug=article.slug)
    else:
        initial = {}
        if request.GET.get("claim"):
            initial["claim"] = request.GET["claim"]
        form = DissentForm(article=article, initial=initial)
    return render(request, "dissent/submit.html", {"article": article, "form": form})


def dissent_received(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return render(request, "dissent/received.html", {"article": article})


# --- Moderation desk -------------------------------------------------------------

DISSENT_FILTERS = [(value, label) for value, label in Dissent.Status.choices]
REPORT_FILTERS = [(value, label) for value, label in ErrorReport.Status.choices]


def _chosen(value, choices, default):
    valid = {choice for choice, _ in choices} | {"all"}
    return value if value in valid else default


CORRECTION_KINDS = [CorrectionEntry.Kind.CORRECTION, CorrectionEntry.Kind.CLARIFICATION]


@editor_required
def moderation(request):
    return moderation_page(request, request.GET, here=request.get_full_path())


def moderation_page(request, params, *, here, failed=None, status=200):
    """The queue, filtered by `params`. After a refused decision, `failed` is the
    bound form that was refused: its item shows it (what was typed, the error
    summary focused), first in its list if the filters would have hidden it."""
    dissent_status = _chosen(params.get("dissent"), DISSENT_FILTERS, Dissent.Status.RECEIVED)
    report_status = _chosen(params.get("reports"), REPORT_FILTERS, ErrorReport.Status.OPEN)

    dissent_counts = Dissent.objects.aggregate(
        all=Count("pk"), **{value: Count("pk", filter=Q(status=value)) for value, _ in DISSENT_FILTERS}
    )
    report_counts = ErrorReport.objects.aggregate(
        all=Count("pk"), **{value: Count("pk", filter=Q(status=value)) for value, _ in REPORT_FILTERS}
    )
    # The queue never shows article bodies: leave them in the database.
    dissent_items = (
        Dissent.objects.select_related("claim__article", "weighed_by")
        .defer("claim__article__body_markdown", "claim__article__body_html", "claim__holding_up_html")
        .order_by("received_at", "pk")
    )
    reports = (
        ErrorReport.objects.select_related("article", "handled_by")
        .defer("article__body_markdown", "article__body_html")
        .order_by("received_at", "pk")
    )
    if dissent_status != "all":
        dissent_items = dissent_items.filter(status=dissent_status)
    if report_status != "all":
        reports = reports.filter(status=report_status)
    dissent_items = list(dissent_items[:QUEUE_SIZE])
    reports = list(reports[:QUEUE_SIZE])
    if failed is not None:
        items = dissent_items if isinstance(failed.item, Dissent) else reports
        if failed.item not in items:
            items.insert(0, failed.item)
    for item in dissent_items:
        item.weigh_form = failed if failed is not None and failed.item == item else DissentWeighForm(dissent=item)
    for report in reports:
        report.handle_form = (
            failed if failed is not None and failed.item == report
            else ReportHandleForm(report=report, kinds=CORRECTION_KINDS)
        )

    context = {
        "dissent_status": dissent_status,
        "report_status": report_status,
        "dissent_filters": [
            (value, label, dissent_counts[value]) for value, label in [*DISSENT_FILTERS, ("all", "All")]
        ],
        "report_filters": [
            (value, label, report_counts[value]) for value, label in [*REPORT_FILTERS, ("all", "All")]
        ],
        "dissent_items": dissent_items,
        "dissent_total": dissent_counts[dissent_status],
        "reports": reports,
        "report_total": report_counts[report_status],
        "queue_size": QUEUE_SIZE,
        "here": here,
    }
    return render(request, "dissent/moderation.html", context, status=status)


def _next(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dissent:moderation")


def _refused(request, form):
    """The queue again, as the `next` address showed it, with the refused form."""
    target = _next(request)
    return moderation_page(request, QueryDict(urlsplit(target).query), here=target, failed=form, status=400)


@editor_required
@require_POST
def moderation_weigh(request, pk):
    dissent = get_object_or_404(Dissent.objects.select_related("claim__article"), pk=pk)
    form = DissentWeighForm(request.POST, dissent=dissent)
    if not form.is_valid():
        return _refused(request, form)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"].strip()
    try:
        if decision == "reject":
            dissent_reject(dissent=dissent, editor=request.user, note=note)
            messages.success(request, f"Dissent on {dissent.claim.code} rejected as spam or abuse.")
        else:
            dissent = dissent_weigh(
                dissent=dissent, material=decision == "material", editor=request.user, note=note
            )
            outcome = "material" if dissent.status == Dissent.Status.MATERIAL else "not material"
            messages.success(request, f"Dissent on {dissent.claim.code} weighed: {outcome}.")
    except DissentAlreadyWeighed as error:
        # Someone else decided first: nothing here to correct, so no form to keep.
        messages.error(request, str(error))
    return redirect(_next(request))


# The service's refusals name what is wrong by code; each lands on its field.
REPORT_ERROR_FIELDS = {"kind": "kind", "required": "text"}


@editor_required
@require_POST
def moderation_report(request, pk):
    report = get_object_or_404(ErrorReport.objects.select_related("article"), pk=pk)
    form = ReportHandleForm(request.POST, report=report, kinds=CORRECTION_KINDS)
    if not form.is_valid():
        return _refused(request, form)
    try:
        if form.cleaned_data["decision"] == "decline":
            error_report_decline(report=report, editor=request.user)
            messages.success(request, f"Report on “{report.article.title}” declined.")
        else:
            error_report_correct(
                report=report,
                editor=request.user,
                kind=form.cleaned_data["kind"] or CorrectionEntry.Kind.CORRECTION,
                text=form.cleaned_data["text"],
            )
            messages.success(request, f"Correction logged on “{report.article.title}”.")
    except ErrorReportAlreadyHandled as error:
        messages.error(request, str(error))
    except ValidationError as error:
        form.add_error(REPORT_ERROR_FIELDS.get(error.code), error)
        return _refused(request, form)
    return redirect(_next(request))
