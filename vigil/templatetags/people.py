from django import template

from vigil.roles import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user):
    """{{ review.editor|display_name }}: how a person is named (vigil.roles.display_name)."""
    return _display_name(user) if user else ""
