"""Roles and people in templates, from the one definition in vigil.roles:
`{% if request.user|is_admin %}` shows admins what only they may open, and
`{{ review.editor|display_name }}` names a person as the record does."""

from django import template

from vigil import roles

register = template.Library()


@register.filter
def is_admin(user):
    return roles.is_admin(user)


@register.filter
def display_name(user):
    return roles.display_name(user) if user else ""
