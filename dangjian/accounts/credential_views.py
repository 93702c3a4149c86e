"""Pages for credentials: the owner's API tokens, and a security administrator's view of an
account's second factor and tokens (activation code, revoke all)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.views import get_for_user

from .credential_services import issue_activation_code, revoke_token, revoke_tokens_of
from .forms import AccountLookupForm
from .models import ApiToken, User


def _own(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


@login_required
def own_tokens(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user_id=_own(request)).order_by("-created_at", "-id")
    limits = {"idle_hours": settings.API_TOKEN_IDLE_HOURS, "max_days": settings.API_TOKEN_MAX_DAYS}
    return render(request, "accounts/own_tokens.html", {"tokens": tokens, **limits})


@login_required
@require_POST
def own_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user_id=_own(request)).first()
    if token is None:
        raise Http404
    revoke_token(token, acting_user=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("own_tokens")


@login_required
def security_account(request: HttpRequest) -> HttpResponse:
    """Find an account in the security administrator's subtree by username."""
    if not request.user.can("manage_security"):  # type: ignore[union-attr]
        raise Http404
    form = AccountLookupForm(request.GET or None)
    account = None
    if form.is_valid():
        account = (
            User.objects.restrict(request.user, "manage_security")
            .select_related("home_org")
            .filter(username=form.cleaned_data["username"].strip().lower())
            .first()
        )
        if account is None:
            form.add_error("username", _("No such account within your organizations."))
    return _render_account(request, form, account)


def _render_account(
    request: HttpRequest, form: AccountLookupForm, account: User | None, code: str = ""
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=account).count() if account else 0
    response = render(
        request,
        "accounts/security_account.html",
        {
            "form": form,
            "account": account,
            "token_count": tokens,
            "code": code,
            "code_hours": settings.ACTIVATION_CODE_HOURS,
        },
    )
    if code:
        response["Cache-Control"] = "no-store"  # the code is shown once
    return response


@login_required
@require_POST
def security_activation_code(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_security", select_related=["home_org"])
    form = AccountLookupForm({"username": account.username})
    form.is_valid()
    try:
        raw, _code = issue_activation_code(account, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render_account(request, form, account)
    return _render_account(request, form, account, code=raw)


@login_required
@require_POST
def security_revoke_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_security")
    count = revoke_tokens_of(account, acting_user=request.user)
    messages.success(
        request, _("%(count)s token(s) of %(name)s revoked.") % {"count": count, "name": account.username}
    )
    return redirect(f"{reverse('security_account')}?{urlencode({'username': account.username})}")
