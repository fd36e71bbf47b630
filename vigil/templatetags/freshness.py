"""{% load freshness %}: the tag versions a cached fragment is keyed by.

    {% cache fragment_cache_seconds article-log article.pk article|tag_version staff_view %}
"""

from django import template

from vigil.pagecache import fragment_version

register = template.Library()


@register.filter
def tag_version(obj):
    """Moves when an action touches `obj` (its tags, vigil.cachetags), and at midnight."""
    return fragment_version(obj)
