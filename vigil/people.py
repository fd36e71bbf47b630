"""People: admins invite editors and admins by e-mail and grant and withdraw
their roles at /desk/people/; the invitation's link lets the person choose a
password.

Roles are the Editors and Admins groups (vigil.roles); staff status follows
them (roles.staff_follows_role), so nobody sets Django's "Staff status" box.

The invitation link is signed (django.core.signing), expires after
INVITE_DAYS and works once: it carries a fingerprint of the person's password
field, which changes when they choose a password, so a used link no longer
matches. Nothing secret is stored: the link is made when the e-mail is written.

A password reset is queued the same way (PasswordResetRequestForm): the
request writes one outbox row and answers; the mail, with Django's one-use
reset link, is written when the row is delivered.
"""

import datetime
import hashlib
import uuid
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import PasswordResetView
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from . import roles
from .actions import ADMIN, EDITOR, action
from .notifications import Notice, notify_person, outbox_write
from .ratelimit import fingerprint, form_rate_limited, over_limit, too_many_posts

PERSON_INVITED = "person_invited"
PASSWORD_RESET = "password_reset"
INVITE_SALT = "vigil.people.invite"


class RoleRefused(ValidationError):
    """A role change the desk refuses, with the reason a person reads."""


# --- The invitation link ------------------------------------------------------


def _fingerprint(person):
    # The password field changes when a password is chosen: a used link stops matching.
    return hashlib.sha256(f"{person.pk}:{person.password}".encode()).hexdigest()[:20]


def invite_token(person):
    return signing.dumps({"p": person.pk, "f": _fingerprint(person)}, salt=INVITE_SALT)


def invite_url(person):
    return f"{settings.SITE_URL}{reverse('invite_accept', kwargs={'token': invite_token(person)})}"


class InviteRefused(Exception):
    """Why a link does not work: 'expired', 'used' or 'invalid'."""

    def __init__(self, why):
        super().__init__(why)
        self.why = why


def invited_person(token):
    """The person a link invites, or InviteRefused saying why not."""
    max_age = settings.VIGIL["INVITE_DAYS"] * 24 * 3600
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InviteRefused("expired") from None
    except signing.BadSignature:
        raise InviteRefused("invalid") from None
    person = get_user_model().objects.filter(pk=data.get("p"), is_active=True).first()
    if person is None:
        raise InviteRefused("invalid")
    if person.has_usable_password() or data.get("f") != _fingerprint(person):
        raise InviteRefused("used")
    return person


def describe_person_invited(rows):
    person = get_user_model().objects.filter(pk=rows[0].object_id).first()
    if person is None or person.has_usable_password():
        return None  # Gone, or joined already: the link would not work.
    name = settings.VIGIL["PUBLICATION_NAME"]
    days = settings.VIGIL["INVITE_DAYS"]
    return Notice(
        f"You are invited to the {name} desk",
        f"You have been invited to the {name} editor desk as {role_words(person)}.\n\n"
        f"Choose your password here (the link works once, for {days} days):\n"
        f"{invite_url(person)}\n\n"
        f"You will sign in as {person.get_username()}.\n",
    )


def invitee_address(object_id):
    return list(get_user_model().objects.filter(pk=object_id).values_list("email", flat=True))


# --- Password reset -------------------------------------------------------------
# Django sends the reset mail inside the request: a slow or refused mail server
# delays or loses it, and an address with an account answers measurably slower
# than one without. Here every request writes one outbox row, whether or not an
# account uses the address, and answers; the row is delivered after commit.

# The row a request for an address no account uses writes: it sends nothing.
NO_ACCOUNT = "none"
# Resets one address may be sent within the public forms' window.
RESETS_PER_ADDRESS = 3


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, its mail queued in the outbox instead of sent."""

    def save(self, **_options):
        """Owe the reset mail to each account using the address, or write the
        one row that sends nothing: the same work, and the same answer, for an
        address with an account and one without. Django's view passes the mail's
        templates and domain; they are the describer's, at delivery."""
        email = self.cleaned_data["email"]
        field = get_user_model().get_email_field_name()
        # One inbox is not flooded from many addresses: past the limit the same
        # answer comes back and nothing is owed, for accounts and non-accounts alike.
        if over_limit(f"password-reset-to:{fingerprint(email)}", RESETS_PER_ADDRESS):
            return
        # Every request is its own occasion: asking twice sends twice, as Django does.
        occasion = uuid.uuid4().hex
        with transaction.atomic():
            people = list(self.get_users(email))
            for person in people:
                # The stored address, never the typed one (a look-alike that
                # matches case-insensitively must not receive the link).
                outbox_write(
                    kind=PASSWORD_RESET,
                    object_id=person.pk,
                    recipients=[getattr(person, field)],
                    occasion=occasion,
                )
            if not people:
                outbox_write(
                    kind=PASSWORD_RESET,
                    object_id=NO_ACCOUNT,
                    recipients=[NO_ACCOUNT],
                    occasion=occasion,
                )


class PasswordResetRequestView(PasswordResetView):
    """Django's reset page with the public forms' limit per client address: a
    burst gets 429 with the typed address kept and when to try again."""

    form_class = PasswordResetRequestForm

    def post(self, request, *args, **kwargs):
        if form_rate_limited(request, scope="password-reset"):
            form = self.get_form()
            return too_many_posts(request, self.template_name, self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)


class _TokenAsOf(PasswordResetTokenGenerator):
    """Django's reset token, dated when the reset was asked for rather than when
    the mail went out: the link expires PASSWORD_RESET_TIMEOUT after the request,
    as the one Django sends in the request does. PasswordResetConfirmView checks
    it with default_token_generator (same secret, same algorithm)."""

    def __init__(self, asked_at):
        super().__init__()
        self._age = timezone.now() - asked_at

    def _now(self):
        return super()._now() - self._age


def describe_password_reset(rows):
    row = rows[0]
    if not (row.object_id.isascii() and row.object_id.isdigit()):
        return None  # NO_ACCOUNT: nobody to tell.
    timeout = datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if timezone.now() - row.created_at > timeout:
        return None  # Delivered too late: the link would have expired already.
    # Django's rule at delivery too: still active, a usable password, the same address.
    accounts = PasswordResetForm().get_users(row.recipient)
    person = next((p for p in accounts if str(p.pk) == row.object_id), None)
    if person is None:
        return None
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": row.recipient,
        "domain": site.netloc + site.path,
        "site_name": settings.VIGIL["PUBLICATION_NAME"],
        "uid": urlsafe_base64_encode(force_bytes(person.pk)),
        "user": person,
        "token": _TokenAsOf(row.created_at).make_token(person),
        "protocol": site.scheme or "https",
    }
    return Notice(
        render_to_string("registration/password_reset_subject.txt", context),
        render_to_string("registration/password_reset_email.html", context),
    )


# --- Actions ------------------------------------------------------------------


def role_words(person):
    return " and ".join(f"an {word}" for word in roles.held_roles(person)) or "no role"


def _group(role):
    if role not in roles.ROLES:
        raise RoleRefused(f"Unknown role “{role}”.")
    return Group.objects.get_or_create(name=roles.ROLES[role])[0]


@action("person.invite", role=ADMIN, actor="admin")
def person_invite(*, admin, email, name, role, record):
    """Make an account for `email` with `role` and send the invitation link."""
    email = get_user_model().objects.normalize_email(email).lower()
    if get_user_model().objects.filter(email__iexact=email).exists() or (
        get_user_model().objects.filter(username__iexact=email).exists()
    ):
        raise RoleRefused(f"{email} is already on the desk.")
    first, _, last = name.strip().partition(" ")
    person = get_user_model()(username=email, email=email, first_name=first[:150], last_name=last[:150])
    person.set_unusable_password()
    person.save()
    person.groups.add(_group(role))
    roles.staff_follows_role(person)
    notify_person(event=PERSON_INVITED, object_id=person.pk)
    record.touch(person=person.get_username())
    record.say(f"Invited {email} as {role}")
    return person


@action("role.grant", role=ADMIN, actor="admin")
def role_grant(*, admin, person, role, record):
    group = _group(role)
    if person.groups.filter(pk=group.pk).exists():
        raise RoleRefused(f"{roles.display_name(person)} is already an {role}.")
    person.groups.add(group)
    staff_line = roles.staff_follows_role(person)
    record.touch(person=person.get_username())
    record.say(f"{person.get_username()}: {role} granted")
    record.say(staff_line)


@action("role.withdraw", role=ADMIN, actor="admin")
def role_withdraw(*, admin, person, role, record):
    group = _group(role)
    if not person.groups.filter(pk=group.pk).exists():
        raise RoleRefused(f"{roles.display_name(person)} is not an {role}.")
    if person.pk == admin.pk and role == "admin" and not admin.is_superuser:
        # Someone must be left who can give it back; another admin can take it.
        raise RoleRefused("You cannot withdraw your own admin role: ask another admin.")
    person.groups.remove(group)
    staff_line = roles.staff_follows_role(person)
    record.touch(person=person.get_username())
    record.say(f"{person.get_username()}: {role} withdrawn")
    record.say(staff_line)


@action("person.join", role=EDITOR, actor="person")
def person_join(*, person, password, record):
    """An invited person chose their password (their invitation is used)."""
    person.set_password(password)
    person.save(update_fields=["password"])
    record.touch(person=person.get_username())
    record.say(f"{person.get_username()} accepted the invitation")


# --- Pages --------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=150)
    name = forms.CharField(label="Name", max_length=150, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=[("editor", "Editor: reviews, logs, drafts"), ("admin", "Admin: also signs off and manages people")],
        widget=forms.RadioSelect,
        initial="editor",
    )


def people_on_desk():
    """Everyone with an account, their roles prefetched: one query for the people, one for groups."""
    return (
        get_user_model()
        .objects.order_by("-is_active", "first_name", "last_name", "username")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
    )


def _people_page(request, form, status=200):
    people = list(people_on_desk())
    for person in people:
        person._vigil_groups = frozenset(group.name for group in person.groups.all())
        person.roles_held = roles.held_roles(person)
        person.roles_missing = [word for word in roles.ROLES if word not in person.roles_held]
    context = {"form": form, "people": people, "invite_days": settings.VIGIL["INVITE_DAYS"]}
    return render(request, "desk/people.html", context, status=status)


@roles.admin_required
@require_http_methods(["GET", "HEAD", "POST"])
def people(request):
    if request.method != "POST":
        return _people_page(request, InviteForm())
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            person = person_invite(admin=request.user, **form.cleaned_data)
        except RoleRefused as refused:
            form.add_error("email", refused.message)
        else:
            messages.success(request, f"Invitation sent to {person.email}.")
            return redirect("people")
    return _people_page(request, form, status=400)


@roles.admin_required
@require_POST
def person_role(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    change = {"grant": role_grant, "withdraw": role_withdraw}.get(request.POST.get("change"))
    if change is None:
        return _people_page(request, InviteForm(), status=400)
    try:
        change(admin=request.user, person=person, role=request.POST.get("role", ""))
    except RoleRefused as refused:
        messages.error(request, refused.message)
    else:
        verb = "granted to" if change is role_grant else "withdrawn from"
        messages.success(request, f"The {request.POST['role']} role was {verb} {roles.display_name(person)}.")
    return redirect("people")


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def invite_accept(request, token):
    try:
        person = invited_person(token)
    except InviteRefused as refused:
        return render(request, "registration/invite_refused.html", {"why": refused.why}, status=410)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_join(person=person, password=form.cleaned_data["new_password1"])
        except PermissionDenied:
            # Their role was withdrawn before they joined.
            return render(request, "registration/invite_refused.html", {"why": "invalid"}, status=410)
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome: your password is set.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/invite_accept.html", {"form": form, "person": person}, status=status)
