from django.shortcuts import get_object_or_404, render

from articles.models import Article


def submit_dissent(request, slug):
    # The dissent form lands with its own issue; the link already works.
    get_object_or_404(Article.objects.published(), slug=slug)
    return render(request, "coming_soon.html", {"feature": "The dissent form"})
