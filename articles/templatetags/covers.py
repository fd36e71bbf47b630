from django import template
from django.core.files.storage import default_storage

from articles.covers import cover_share_url, cover_sources

register = template.Library()

# {% cover_share_url article.cover %}: og:image and the like.
register.simple_tag(cover_share_url, name="cover_share_url")


@register.inclusion_tag("includes/cover.html")
def cover_picture(article, sizes="(min-width: 50rem) 46rem, 100vw", loading="eager"):
    """<picture> of an article's cover: WebP and JPEG srcsets when the
    renditions are made, the original otherwise. {% cover_picture article %}"""
    manifest = cover_sources(article.cover) if article.cover else None
    context = {"article": article, "sizes": sizes, "loading": loading, "manifest": manifest}
    if manifest:
        sources = manifest["sources"]
        largest = sources[-1]
        context.update(
            webp_srcset=", ".join(
                f"{default_storage.url(s['webp'])} {s['width']}w" for s in sources
            ),
            jpeg_srcset=", ".join(
                f"{default_storage.url(s['jpeg'])} {s['width']}w" for s in sources
            ),
            src=default_storage.url(largest["jpeg"]),
            width=largest["width"],
            height=largest["height"],
        )
    return context
