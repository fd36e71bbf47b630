"""The people page and the invitation pages in Chromium: axe-core finds no
violations, and nothing scrolls sideways on a phone."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_admin, make_editor
from tests.test_accessibility import AXE
from vigil.people import invite_token, person_invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations_and_overflow(browser, live_server, path, *, user=None, width=1280, fill=None):
    # CSP bypassed only so the test can inject axe.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    response = page.goto(path)
    if fill:
        fill(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    return response.status, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]], overflow


def a_desk():
    admin = make_admin(first_name="Peter", last_name="Hale")
    make_editor(first_name="Ines", last_name="Okafor-Longname-Withahyphen")
    invited = person_invite(admin=admin, email="a.rather.long.address.for.a.phone@example.org",
                            name="Bo Newcomer", role="admin")
    return admin, invited


@pytest.mark.parametrize("width", [1280, 390])
def test_the_people_page_is_clean_at_desktop_and_phone_widths(browser, live_server, width):
    admin, _ = a_desk()
    status, violations, overflow = violations_and_overflow(browser, live_server, "/desk/people/", user=admin, width=width)
    assert (status, violations, overflow) == (200, [], 0)


def test_bad_input_on_the_people_page_is_clean_too(browser, live_server):
    admin, _ = a_desk()

    def send_bad_invite(page):
        page.get_by_label("E-mail address").fill("not an address")
        page.get_by_role("button", name="Send the invitation").click()
        page.wait_for_selector(".field--error")
        assert page.get_by_label("E-mail address").input_value() == "not an address"

    status, violations, overflow = violations_and_overflow(browser, live_server, "/desk/people/", user=admin,
                                                           width=390, fill=send_bad_invite)
    assert (violations, overflow) == ([], 0)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_invitation_pages_are_clean(browser, live_server, width):
    _, invited = a_desk()
    token = invite_token(invited)
    for path, expected in [(f"/accounts/invite/{token}/", 200), (f"/accounts/invite/{token}x/", 410)]:
        status, violations, overflow = violations_and_overflow(browser, live_server, path, width=width)
        assert (status, violations, overflow) == (expected, [], 0), path
