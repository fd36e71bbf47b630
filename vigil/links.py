"""URLs reversed once per process: `{% url %}` in every template (a builtin,
vigil/templatetags/links.py) and the models' get_absolute_url().

Django's reverse() walks the resolver, quotes each argument and reads the
thread's script prefix and URLconf on every call: about a hundred function
calls, and a page makes 20 to 200 of them (the site's header and footer alone
make 15; bench/PROFILE.md). The same name with the same arguments under the
same prefix and URLconf is the same URL for the life of the process, so each is
reversed once and remembered. A failed reverse raises as before and is not
remembered. Changing ROOT_URLCONF (tests) forgets them all.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

# Bounded: one URL per claim and article is many, but a worker serves a
# window of them; clearing now and then costs one reverse each.
MAX_REMEMBERED = 20_000
_known = {}
_PLAIN = (str, int)


def reverse(viewname, args=None, kwargs=None, current_app=None):
    key = (
        viewname,
        tuple(args) if args else (),
        tuple(sorted(kwargs.items())) if kwargs else (),
        current_app,
        get_script_prefix(),
        get_urlconf(),
    )
    values = [*(args or ()), *(kwargs.values() if kwargs else ())]
    if not all(type(value) in _PLAIN for value in values):
        # An object's text may change while it stays equal (a model instance): not a key.
        return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    try:
        return _known[key]
    except KeyError:
        pass
    url = django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    if len(_known) >= MAX_REMEMBERED:
        _known.clear()
    _known[key] = url
    return url


def forget():
    _known.clear()


@receiver(setting_changed)
def _urlconf_changed(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        forget()
