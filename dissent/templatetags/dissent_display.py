from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def reader_link(url):
    """The URL if it is a plain http(s) link, else "" (checked again at display:
    whatever got into the database, a javascript: link never reaches a page)."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url
