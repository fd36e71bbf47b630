"""vigil.links: {% url %} and get_absolute_url() reversed once per process,
with the same answers as Django's reverse()."""

from django.template import Context, Template, TemplateSyntaxError
from django.test import SimpleTestCase
from django.urls import NoReverseMatch, reverse, set_script_prefix

from vigil import links


class RememberedReverseTests(SimpleTestCase):
    def setUp(self):
        links.forget()
        self.addCleanup(set_script_prefix, "/")

    def test_the_same_urls_as_django(self):
        for name, kwargs in (("claims:ledger", None), ("reviews:claim", {"code": "AM-060"}),
                             ("reviews:claim", {"code": "AM-061"}), ("articles:detail", {"slug": "wind"})):
            for _ in range(2):  # reversed, then remembered
                self.assertEqual(links.reverse(name, kwargs=kwargs), reverse(name, kwargs=kwargs))

    def test_the_script_prefix_is_part_of_the_key(self):
        links.reverse("claims:ledger")
        set_script_prefix("/vigil/")
        self.assertEqual(links.reverse("claims:ledger"), "/vigil/claims/")

    def test_a_failed_reverse_raises_and_is_not_remembered(self):
        with self.assertRaises(NoReverseMatch):
            links.reverse("reviews:claim", kwargs={"slug": "wind"})
        self.assertEqual(links._known, {})

    def test_the_url_tag_writes_what_djangos_does(self):
        rendered = Template(
            "{% url 'reviews:claim' code=code %}|{% url 'nope:missing' as missing %}[{{ missing }}]"
            "|{% url 'claims:ledger' as ledger %}{{ ledger }}"
        ).render(Context({"code": "AM-060"}))
        self.assertEqual(rendered, "/claims/AM-060/|[]|/claims/")
        with self.assertRaises(NoReverseMatch):
            Template("{% url 'nope:missing' %}").render(Context())
        with self.assertRaises(TemplateSyntaxError):
            Template("{% url %}")
