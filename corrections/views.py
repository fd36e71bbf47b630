from django.shortcuts import render

from .models import CorrectionEntry

LOG_PAGE_SIZE = 50


def correction_log(request):
    entries = CorrectionEntry.objects.public().select_related("article").newest_first()[:LOG_PAGE_SIZE]
    return render(request, "corrections/log.html", {"entries": entries})


def policy(request):
    return render(request, "corrections/policy.html")


def report_error(request):
    """The corrections report form. Defences as on the dissent form (vigil.ratelimit);
    after a post the reader lands on ?sent=1, a confirmation with no state."""
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect
    from django.urls import reverse

    from vigil.ratelimit import form_rate_limited, honeypot_filled

    from .report_forms import ErrorReportForm
    from .services import error_report_submit

    sent_url = f"{reverse('corrections:report')}?sent=1"
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if form_rate_limited(request, scope="error-report"):
            response = render(
                request, "corrections/report.html", {"form": form, "rate_limited": True}, status=429
            )
            response["Retry-After"] = "600"
            return response
        if honeypot_filled(request.POST):
            return redirect(sent_url)
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
                return redirect(sent_url)
    elif request.GET.get("sent"):
        return render(request, "corrections/report_received.html")
    else:
        form = ErrorReportForm(initial={"article": request.GET.get("article", "")})
    return render(request, "corrections/report.html", {"form": form})
