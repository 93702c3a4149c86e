"""Account administration (system administrator) and login security (security administrator)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.views import apply_errors, get_for_user
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from . import services
from .forms import GrantForm, PolicyForm, UserCreateForm
from .models import LoginPolicy, RoleGrant, User


def _org_in_scope(request: HttpRequest, code: str, action: str) -> Organization | None:
    return Organization.objects.restrict(request.user, action).filter(code=code.strip()).first()


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.restrict(request.user, "manage_users").select_related("home_org", "member")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q)
    if not request.user.can("manage_users"):  # type: ignore[union-attr]
        raise Http404
    return render(request, "accounts/user_list.html", {"users": users.order_by("username")[:200], "q": q})


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
    account = get_for_user(request, User, pk, "manage_users", select_related=["home_org", "member"])
    grants = (
        RoleGrant.objects.filter(user=account).select_related("organization").order_by("organization__path")
    )
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = _org_in_scope(request, form.cleaned_data["organization"], "manage_users")
        if org is None:
            form.add_error("organization", _("No such organization within your reach."))
        else:
            try:
                services.grant_role(account, org, form.cleaned_data["role"], acting_user=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Role granted."))
                return redirect("user_detail", pk=account.pk)
    return render(request, "accounts/user_detail.html", {"account": account, "grants": grants, "form": form})


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_for_user(request, RoleGrant, pk, "manage_users")
    services.revoke_grant(grant, acting_user=request.user)
    messages.success(request, _("Role revoked."))
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
    try:
        services.update_user(
            account, {"is_active": request.POST.get("active") == "1"}, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
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
    services.unlock_user(account, acting_user=request.user)
    messages.success(request, _("Account %(name)s unlocked.") % {"name": account.username})
    return redirect("security")


@login_required
@require_POST
def user_reset_totp(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_for_user(request, User, pk, "manage_security")
    services.reset_totp(account, acting_user=request.user)
    messages.success(request, _("Second factor of %(name)s reset.") % {"name": account.username})
    return redirect("security")
