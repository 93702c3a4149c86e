"""Member pages: the filtered list (full page or HTMX fragment), the exact search by ID number or
phone (POST only), detail with audited reveal, forms.

Views that take personal data in a POST are `sensitive_post_parameters` (error reports leave the
values out); responses that carry a revealed value are `never_cache` (no-store).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, bootstrap_form, get_for_user, htmx_partial
from dangjian.organizations.models import Organization

from . import services
from .disclosure import Disclosure
from .filters import MemberFilterSet, after_cursor, cursor_of, filtered_members, personal_query_params
from .forms import MemberForm, MemberSearchForm
from .models import Member
from .queries import subtree_member_count
from .validation import MEMBER_FIELDS

PAGE = 50


def _shown(request: HttpRequest, members: list[Member]) -> list[Member]:
    """Members with their birth date in the form this user may see (`birth_shown`)."""
    disclosure = Disclosure(request.user)
    for m in members:
        m.birth_shown = disclosure.birth(m)  # type: ignore[attr-defined]
    return members


def _list_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("filter", bootstrap_form_of(MemberFilterSet(None)))
    context.setdefault("search_form", MemberSearchForm())
    return render(request, "members/list.html", context, status=status)


def bootstrap_form_of(filterset: MemberFilterSet) -> MemberFilterSet:
    bootstrap_form(filterset.form)
    return filterset


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    if personal_query_params(request.GET):
        # Refused rather than ignored: the user should know the search did not happen, and how
        # to search instead; the value is not echoed back.
        message = _(
            "ID numbers and phone numbers are not searched through the address bar; use the search form."
        )
        messages.error(request, message)
        return _list_page(request, {"members": []}, status=400)
    filterset, qs = filtered_members(request.user, request.GET, request)
    qs = qs.defer("id_number")  # not shown in the list: spare 50 decryptions a page
    after = request.GET.get("after", "")
    if after:
        qs = after_cursor(qs, after)
    page = list(qs[: PAGE + 1])
    context = {
        "filter": bootstrap_form_of(filterset),
        "members": _shown(request, page[:PAGE]),
        "more": len(page) > PAGE,
        "next_after": cursor_of(page[PAGE - 1]) if len(page) > PAGE else None,
    }
    if htmx_partial(request):
        template = "members/_rows.html" if after else "members/_table.html"
        return render(request, template, context)
    return _list_page(request, context)


@never_cache
@sensitive_post_parameters("id_number", "phone")
@login_required
@require_POST
def member_search(request: HttpRequest) -> HttpResponse:
    """Members found by their exact ID number or phone: a reveal (audited, `reveal_pii` only)."""
    form = MemberSearchForm(request.POST)
    if not form.is_valid():
        return _list_page(request, {"members": [], "search_form": form}, status=400)
    field, value = form.search()
    try:
        found = services.search_members(field, value, acting_user=request.user)
    except OutOfScope as exc:
        raise PermissionDenied(
            _("Searching by ID number or phone needs the right to see personal data.")
        ) from exc
    except ValidationError as exc:
        apply_errors(form, exc)
        return _list_page(request, {"members": [], "search_form": form}, status=400)
    return _list_page(request, {"members": _shown(request, found), "search_form": MemberSearchForm()})


@login_required
def member_count(request: HttpRequest, pk: int) -> HttpResponse:
    """Members on the roll in an organization's subtree, as a link to the filtered list."""
    org = get_for_user(request, Organization, pk)
    return render(request, "members/_count.html", {"org": org, "count": subtree_member_count(org)})


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(request, Member, pk, select_related=["organization", "party_group"])
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "birth": Disclosure(request.user).birth(member),
            "can_reveal": in_scope(request.user, member, "reveal_pii"),
            "can_change": in_scope(request.user, member, "change"),
            "can_create_account": in_scope(request.user, member.organization, "manage_users")
            and not hasattr(member, "account"),
        },
    )


@never_cache
@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    member = get_for_user(request, Member, pk)
    try:
        value = services.reveal_member_field(member, field, acting_user=request.user)
    except (OutOfScope, ValidationError) as exc:
        raise Http404 from exc
    return render(request, "members/_revealed.html", {"value": value})


def _organization_for_new(request: HttpRequest) -> Organization:
    org_id = request.GET.get("org") or request.POST.get("org")
    if not is_int(org_id or ""):
        raise Http404
    return get_for_user(request, Organization, int(org_id), "change")  # type: ignore[arg-type]


@sensitive_post_parameters("id_number", "phone", "birth_date")
@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    org = _organization_for_new(request)
    form = MemberForm(
        request.POST or None, organization=org, initial={"status": "active", "category": "full"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(org, form.service_data(), acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Member %(name)s added.") % {"name": member.name})
            return redirect("member_detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "org": org, "member": None})


@sensitive_post_parameters("id_number", "phone", "birth_date")
@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(request, Member, pk, "change", select_related=["organization"])
    # Everything but the encrypted fields, whose full values never go to the browser.
    initial: dict[str, Any] = {f: getattr(member, f) for f in MEMBER_FIELDS if f not in services.PII_FIELDS}
    initial["version"] = member.version
    form = MemberForm(request.POST or None, organization=member.organization, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(
                member,
                form.service_data(),
                acting_user=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("member_detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "org": member.organization, "member": member})
