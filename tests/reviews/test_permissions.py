"""Every desk URL checks the role on the server, for every method."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_admin, make_claim, make_editor, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    return make_claim(triggers=["Prices rise two quarters running."])


def desk_urls(claim):
    """(url, status an editor gets on GET, on POST with an empty form)."""
    trigger = claim.triggers.get()
    return [
        (reverse("reviews:queue"), 200, 405),
        (reverse("reviews:review", kwargs={"code": claim.code}), 200, 422),
        (reverse("reviews:assign", kwargs={"code": claim.code}), 405, 302),
        (reverse("reviews:trigger_fire", kwargs={"code": claim.code, "pk": trigger.pk}), 405, 422),
    ]


ROLES = {
    "anonymous": None,
    "reader": lambda: make_user(),
    "editor": make_editor,
    "admin": make_admin,
    "superuser": lambda: make_user(is_superuser=True, is_staff=True),
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", list(ROLES))
def test_permission_matrix(role, method, claim):
    client = Client()
    if ROLES[role]:
        client.force_login(ROLES[role]())
    for url, editor_get, editor_post in desk_urls(claim):
        response = getattr(client, method)(url)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"] == f"{reverse('login')}?next={url}"
        elif role == "reader":
            assert response.status_code == 403, url
        else:
            assert response.status_code == (editor_get if method == "get" else editor_post), url


def test_inactive_editor_is_sent_to_sign_in(claim):
    client = Client()
    editor = make_editor()
    client.force_login(editor)
    editor.is_active = False
    editor.save()
    response = client.get(reverse("reviews:queue"))
    assert response.status_code == 302


class TestCsrf:
    def test_post_without_token_is_refused(self, claim):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_editor())
        for url, _, _ in desk_urls(claim):
            assert client.post(url, {"reasoning": "x"}).status_code == 403, url

    def test_htmx_post_with_the_header_token_is_accepted(self, claim):
        client = Client(enforce_csrf_checks=True)
        editor = make_editor()
        client.force_login(editor)
        page = client.get(reverse("reviews:review", kwargs={"code": claim.code}))
        # desk/base.html puts the token in hx-headers for htmx to send.
        token = client.cookies["csrftoken"].value
        assert 'hx-headers=\'{"x-csrftoken": "' in page.content.decode()
        response = client.post(
            reverse("reviews:assign", kwargs={"code": claim.code}),
            {"editor": editor.pk},
            headers={"x-csrftoken": token, "hx-request": "true"},
        )
        assert response.status_code == 302
        claim.refresh_from_db()
        assert claim.assigned_editor == editor


def test_refusal_page_says_why():
    client = Client()
    client.force_login(make_user(username="rita"))
    response = client.get(reverse("reviews:queue"))
    assert response.status_code == 403
    assert "This page is for editors and admins. You are signed in as rita, an account with no desk role." in (
        response.content.decode()
    )


def test_an_editor_is_told_a_page_is_for_admins_and_is_not_shown_its_link():
    """An editor used to see the admin-only sign-off queue in the menu, then a 403
    that called them "not an editor"."""
    client = Client()
    client.force_login(make_editor(first_name="Eli", last_name="Editor"))
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert reverse("corrections:signoff_queue") not in queue
    assert reverse("audit_trail") not in queue
    response = client.get(reverse("corrections:signoff_queue"))
    assert response.status_code == 403
    assert "This page is for admins. You are signed in as Eli Editor, an editor." in response.content.decode()
    admin = Client()
    admin.force_login(make_admin())
    assert reverse("corrections:signoff_queue") in admin.get(reverse("reviews:queue")).content.decode()


def test_signed_in_staff_get_desk_and_review_links_on_public_pages_and_readers_never_do():
    from tests.factories import make_article

    article = make_article()
    claim = make_claim(article=article, is_primary=True)
    review_url = reverse("reviews:review", kwargs={"code": claim.code})
    staff = Client()
    staff.force_login(make_editor())
    for url in (article.get_absolute_url(), claim.get_absolute_url()):
        page = staff.get(url).content.decode()
        assert f'href="{review_url}">Review this claim' in page
        assert '<a href="/desk/">Desk</a>' in page
    reader = Client()
    for _ in range(2):  # the page cache's miss, then its hit
        for url in (article.get_absolute_url(), claim.get_absolute_url()):
            page = reader.get(url).content.decode()
            assert review_url not in page
            assert '<a href="/desk/">Desk</a>' not in page
