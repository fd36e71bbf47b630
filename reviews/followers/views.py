"""Following a claim, article or pillar; confirming; leaving; and the admins'
webhook endpoints in the desk."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article, Pillar
from claims.models import Claim
from vigil.pagination import whole_number
from vigil.ratelimit import form_rate_limited, honeypot_filled, too_many_posts
from vigil.roles import admin_required

from .changes import ANNOUNCED_ACTIONS, followed_title
from .forms import FollowForm, WebhookForm
from .links import LinkRefused, manage_token, read_confirm, read_manage
from .models import Subscription, WebhookEndpoint
from .services import follow_confirm, follow_request, follow_stop, webhook_register, webhook_set_active
from .webhooks import WebhookRefused


def _followed(kind, key):
    """(subscription key, title, page url) of something readers can follow, or 404."""
    if kind == "claim":
        claim = get_object_or_404(
            Claim.objects.select_related("article"), code=key, article__status=Article.Status.PUBLISHED
        )
        return claim.code, f"{claim.code}: {claim.statement}", claim.get_absolute_url()
    if kind == "article":
        article = get_object_or_404(Article.objects.published(), slug=key)
        return article.slug, f"“{article.title}”", article.get_absolute_url()
    if kind == "pillar":
        pillar = get_object_or_404(Pillar, slug=key)
        return pillar.slug, f"the pillar {pillar.name}", pillar.get_absolute_url()
    raise Http404


# The small follow forms sit on whole-page-cached public pages, which carry no
# CSRF token. A forged post can only make us send a confirmation link to an
# address, as anyone typing it could: double opt-in, the rate limit and the
# honeypot are the defence here.
def follow(request, kind, key):
    key, title, page_url = _followed(kind, key)
    context = {"kind": kind, "title": title, "page_url": page_url, "action": request.path}
    if request.method == "POST":
        form = FollowForm(request.POST)
        context["form"] = form
        if form_rate_limited(request, scope="follow"):
            return too_many_posts(request, "followers/follow.html", context)
        if honeypot_filled(request.POST):
            return render(request, "followers/check_inbox.html", context)
        if form.is_valid():
            follow_request(
                email=form.cleaned_data["email"],
                kind=kind,
                key=key,
                every_review=form.cleaned_data["every_review"],
            )
            # The same answer whether or not the address already follows: no enumeration.
            return render(request, "followers/check_inbox.html", context)
        return render(request, "followers/follow.html", context, status=400)
    context["form"] = FollowForm()
    return render(request, "followers/follow.html", context)


@csrf_exempt
def follow_claim(request, key):
    return follow(request, "claim", key)


@csrf_exempt
def follow_article(request, key):
    return follow(request, "article", key)


@csrf_exempt
def follow_pillar(request, key):
    return follow(request, "pillar", key)


def _refused(request, refusal):
    return render(request, "followers/link_refused.html", {"reason": str(refusal)}, status=400)


def confirm(request, token):
    try:
        subscription_id, email = read_confirm(token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    subscription = follow_confirm(subscription_id=subscription_id, email=email)
    if subscription is None:
        return _refused(
            request,
            "This request is no longer waiting: it expired, or was stopped. Follow the page again.",
        )
    return render(
        request,
        "followers/confirmed.html",
        {
            "title": followed_title(subscription.kind, subscription.key),
            "manage_path": reverse("followers:manage", args=[manage_token(email)]),
        },
    )


# The List-Unsubscribe target: mail clients POST "List-Unsubscribe=One-Click"
# here with no cookie (RFC 8058). The signed token is the only credential.
@csrf_exempt
def manage(request, token):
    try:
        email = read_manage(token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    stopped = None
    if request.method == "POST":
        one = request.POST.get("stop", "all")
        if request.POST.get("List-Unsubscribe") == "One-Click" or one == "all":
            stopped = follow_stop(email=email)
        elif (subscription_id := whole_number(one)) is not None:
            # ASCII digits only: "²" passes isdigit() and then int() raises.
            stopped = follow_stop(email=email, subscription_id=subscription_id)
    subscriptions = [
        (subscription, followed_title(subscription.kind, subscription.key) or subscription.key)
        for subscription in Subscription.objects.of(email).order_by("kind", "key")
    ]
    return render(
        request,
        "followers/manage.html",
        {"email": email, "subscriptions": subscriptions, "stopped": stopped, "action": request.path},
    )


@admin_required
def webhooks(request):
    form = WebhookForm(request.POST or None, actions=ANNOUNCED_ACTIONS)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_register(url=form.cleaned_data["url"], events=form.cleaned_data["events"], admin=request.user)
        except WebhookRefused as refusal:
            form.add_error("url", refusal)
        else:
            messages.success(request, "Endpoint registered. Its secret is below.")
            return redirect("followers:webhooks")
    endpoints = WebhookEndpoint.objects.prefetch_related("deliveries")
    rows = [(endpoint, list(endpoint.deliveries.all()[:5])) for endpoint in endpoints]
    return render(request, "followers/webhooks.html", {"form": form, "endpoints": rows}, status=400 if form.errors else 200)


@admin_required
@require_POST
def webhook_toggle(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhook_set_active(endpoint=endpoint, active=not endpoint.is_active, admin=request.user)
    return redirect("followers:webhooks")
