"""`{% error_summary form %}`: after a failed submit, the GOV.UK error summary at the
top of the form, focused on load, each item a link to the field that needs fixing.
The one place that turns a form's errors into that list, for every form."""

from django import template

register = template.Library()


def _target(field):
    # A radio or checkbox group has no id of its own: link to its first choice.
    return field.id_for_label or f"{field.auto_id}_0"


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form, lead=""):
    if form is None or not form.errors:
        return {"items": None}
    items = [(None, error) for error in form.non_field_errors()]
    for field in form:
        if not field.is_hidden:
            items.extend((_target(field), error) for error in field.errors)
    return {"items": items, "lead": lead, "prefix": form.prefix or "form"}
