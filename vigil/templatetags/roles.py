"""Roles in templates, from the one definition in vigil.roles:
`{% if request.user|is_admin %}` shows admins what only they may open."""

from django import template

from vigil import roles

register = template.Library()


@register.filter
def is_admin(user):
    return roles.is_admin(user)
