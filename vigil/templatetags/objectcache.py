"""{% load objectcache %}: a per-object fragment (vigil.objectcache).

    {% objectfragment "claim-block" claim %}…{% endobjectfragment %}

The copy the view fetched when it is fresh; otherwise the block is rendered
and handed back to be kept. Without `fragments` in the context (a page that
names none) it simply renders.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class ObjectFragmentNode(template.Node):
    def __init__(self, name, obj, nodelist):
        self.name, self.obj, self.nodelist = name, obj, nodelist

    def render(self, context):
        return object_fragment(
            context, self.name.resolve(context), self.obj.resolve(context),
            lambda: self.nodelist.render(context),
        )


def object_fragment(context, name, obj, render):
    """Fragment `name` of `obj`: the fetched copy, or render() kept for later."""
    fragments = context.get("fragments")
    if fragments is None or obj is None:
        return render()
    html = fragments.get(name, obj)
    if html is not None:
        return mark_safe(html)
    html = render()
    fragments.rendered(name, obj, str(html))
    return html


@register.tag
def objectfragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("{% objectfragment name object %} takes a name and an object")
    nodelist = parser.parse(("endobjectfragment",))
    parser.delete_first_token()
    return ObjectFragmentNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]), nodelist)
