"""Account administration (system administrator: accounts; security administrator: grants and
login security), and the requests two administrators carry out together (三员分立)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from . import admin_requests, services
from .forms import GrantForm, PasswordSetForm, PolicyForm, UserCreateForm
from .models import AdminRequest, LoginPolicy, RoleGrant, User
from .roles import ADMIN_REVIEW
from .workflows import REQUEST_FLOW

Kind = AdminRequest.Kind


def _org_in_scope(request: HttpRequest, code: str, action: str) -> Organization | None:
    return Organization.objects.restrict(request.user, action).filter(code=code.strip()).first()


def _act_or_request(
    request: HttpRequest,
    kind: str,
    target: User,
    act: Callable[[], Any],
    done: str,
    params: dict[str, Any] | None = None,
) -> None:
    """Act at once, or — on an administrator or one's own account — file a request that an
    administrator of another role confirms. Refusals become messages; nothing changes."""
    role = (params or {}).get("role") or getattr((params or {}).get("grant"), "role", None)
    try:
        if services.needs_second_admin(request.user, target, role):
            admin_requests.file_request(kind, target, acting_user=request.user, params=params)
            messages.info(request, _("Request filed: an administrator of another role must confirm it."))
        else:
            act()
            messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    if not request.user.can("view_accounts"):  # type: ignore[union-attr]
        raise Http404
    users = User.objects.restrict(request.user, "view_accounts").select_related("home_org", "member")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q)
    context = {
        "users": users.order_by("username")[:200],
        "q": q,
        # The security administrator reads the list (to grant roles) but creates no accounts.
        "can_create": request.user.can("manage_users"),  # type: ignore[union-attr]
    }
    return render(request, "accounts/user_list.html", context)


@sensitive_post_parameters("password")
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    if not request.user.can("manage_users"):  # type: ignore[union-attr]
        raise Http404
    # Prefilled from a member's page ("create an account for this member").
    initial = {"member_id": request.GET.get("member", ""), "home_org": request.GET.get("org", "")}
    form = UserCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = _org_in_scope(request, data["home_org"], "manage_users")
        member = None
        if data["member_id"]:
            member = Member.objects.restrict(request.user, "view").filter(pk=data["member_id"]).first()
            if member is None:
                form.add_error("member_id", _("No such member within your organizations."))
        if org is None:
            form.add_error("home_org", _("No such organization within your reach."))
        if org is not None and not form.errors:
            try:
                user = services.create_user(
                    data["username"],
                    data["password"],
                    home_org=org,
                    member=member,
                    email=data["email"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Account %(name)s created.") % {"name": user.username})
                return redirect("user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "view_accounts", select_related=["home_org", "member"])
    grants = (
        RoleGrant.objects.filter(user=account).select_related("organization").order_by("organization__path")
    )
    can_grant = in_scope(request.user, account, "manage_grants")
    form = GrantForm(request.POST or None)
    if request.method == "POST":
        if not can_grant:
            raise Http404
        if form.is_valid():
            org = _org_in_scope(request, form.cleaned_data["organization"], "manage_grants")
            role = form.cleaned_data["role"]
            if org is None:
                form.add_error("organization", _("No such organization within your reach."))
            else:
                _act_or_request(
                    request,
                    Kind.GRANT,
                    account,
                    lambda: services.grant_role(account, org, role, acting_user=request.user),
                    _("Role granted."),
                    {"organization": org, "role": role},
                )
                return redirect("user_detail", pk=account.pk)
    context = {
        "account": account,
        "grants": grants,
        "form": form,
        "can_grant": can_grant,
        "can_manage": in_scope(request.user, account, "manage_users"),
        "password_form": PasswordSetForm(),
        "pending": AdminRequest.objects.filter(target=account, state=AdminRequest.State.PENDING),
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_for_user(request, RoleGrant, pk, "manage_grants", select_related=["user"])
    _act_or_request(
        request,
        Kind.REVOKE,
        grant.user,
        lambda: services.revoke_grant(grant, acting_user=request.user),
        _("Role revoked."),
        {"grant": grant},
    )
    return redirect("user_detail", pk=grant.user_id)


@login_required
@require_POST
def user_link_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the account to a member (by member number), or unlink it when the number is empty."""
    account = get_for_user(request, User, pk, "manage_users")
    number = request.POST.get("member", "").strip()
    member = None
    if number:
        member = (
            Member.objects.restrict(request.user, "view").filter(pk=number).first()
            if is_int(number)
            else None
        )
        if member is None:
            messages.error(request, _("No such member within your organizations."))
            return redirect("user_detail", pk=account.pk)
    try:
        services.update_user(account, {"member": member}, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Changes saved."))
    return redirect("user_detail", pk=account.pk)


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_users")
    active = request.POST.get("active") == "1"
    _act_or_request(
        request,
        Kind.ACTIVATE if active else Kind.DEACTIVATE,
        account,
        lambda: services.update_user(account, {"is_active": active}, acting_user=request.user),
        _("Changes saved."),
    )
    return redirect("user_detail", pk=account.pk)


@sensitive_post_parameters("password")
@login_required
@require_POST
def user_set_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_users")
    password = request.POST.get("password", "")
    _act_or_request(
        request,
        Kind.SET_PASSWORD,
        account,
        lambda: services.set_password(account, password, acting_user=request.user),
        _("Password set; its holder must change it at next login."),
        {"password": password},
    )
    return redirect("user_detail", pk=account.pk)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    if not request.user.can("manage_security"):  # type: ignore[union-attr]
        raise Http404
    policy = LoginPolicy.current()
    form = PolicyForm(request.POST or None, initial=policy.as_dict())
    if request.method == "POST" and form.is_valid():
        try:
            services.update_login_policy(form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        except OutOfScope:
            form.add_error(
                None, _("Only a security administrator of the top organization sets the login policy.")
            )
        else:
            messages.success(request, _("Login policy saved."))
            return redirect("security")
    locked = User.objects.restrict(request.user, "manage_security").filter(locked_until__gt=timezone.now())
    return render(
        request, "accounts/security.html", {"form": form, "locked": locked.select_related("home_org")}
    )


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_security")
    _act_or_request(
        request,
        Kind.UNLOCK,
        account,
        lambda: services.unlock_user(account, acting_user=request.user),
        _("Account %(name)s unlocked.") % {"name": account.username},
    )
    return redirect("security")


@login_required
@require_POST
def user_reset_totp(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_security")
    _act_or_request(
        request,
        Kind.RESET_TOTP,
        account,
        lambda: services.reset_totp(account, acting_user=request.user),
        _("Second factor of %(name)s reset.") % {"name": account.username},
    )
    return redirect("security")


# --- requests between administrators ---------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    if not request.user.can(ADMIN_REVIEW):  # type: ignore[union-attr]
        raise Http404
    rows = AdminRequest.objects.restrict(request.user, ADMIN_REVIEW).select_related(
        "target", "requested_by", "decided_by"
    )
    shown = list(rows[:100])
    attach_steps(shown)
    return render(request, "accounts/admin_requests.html", {"requests": shown})


@login_required
@require_POST
def request_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirming also carries the action out (the service); rejecting and withdrawing are the
    generic move view's (`urls.py`)."""
    req = get_for_user(request, AdminRequest, pk, ADMIN_REVIEW, select_related=["target"])
    raw_version = str(request.POST.get("version", ""))
    try:
        admin_requests.confirm_request(
            req,
            acting_user=request.user,
            expected_version=int(raw_version) if is_int(raw_version) and len(raw_version) < 12 else None,
        )
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(REQUEST_FLOW.by_name["confirm"].done))
    return redirect("admin_requests")
