from django.shortcuts import render

from vigil.pagecache import public_page

from .models import CorrectionEntry

LOG_PAGE_SIZE = 50


@public_page
def correction_log(request):
    entries = CorrectionEntry.objects.public().select_related("article").newest_first()[:LOG_PAGE_SIZE]
    return render(request, "corrections/log.html", {"entries": entries})


@public_page
def policy(request):
    return render(request, "corrections/policy.html")


def report_error(request):
    # The corrections report form lands with the dissent issue.
    return render(request, "coming_soon.html", {"feature": "The corrections report form"})
