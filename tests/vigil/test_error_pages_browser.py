"""A reader whose dissent form went stale, in Chromium: the CSRF page gives the
argument back and leads to the form, where it can be sent again."""

import re

import pytest

from dissent.models import Dissent
from tests.dissent.helpers import ARGUMENT, article_with_claims

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stale_form_gives_the_argument_back_and_leads_to_the_form(page):
    article, claim, _ = article_with_claims()
    form = f"/articles/{article.slug}/dissent/"
    page.goto(form)
    page.get_by_label("Your argument").fill(ARGUMENT)
    # The token cookie is gone, as after a long wait or in a browser that cleared it.
    page.context.clear_cookies()
    page.get_by_role("button", name="Send dissent").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your form was not sent"
    copied = page.get_by_label("Argument").input_value()
    assert copied == ARGUMENT
    assert not Dissent.objects.exists()

    page.get_by_role("link", name="open the form again").click()
    assert page.url.endswith(form)
    page.get_by_role("radio", name=re.compile(claim.code)).check()
    page.get_by_label("Your argument").fill(copied)
    page.get_by_role("button", name="Send dissent").click()
    page.wait_for_url(f"**{form}received/**")
    assert Dissent.objects.get().argument == ARGUMENT
