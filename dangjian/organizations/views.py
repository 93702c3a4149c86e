"""Organization pages: the lazily loaded tree, search, detail, and the edit forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core.scoping import in_scope
from dangjian.core.tree import ancestor_paths, subtree_q
from dangjian.core.views import apply_errors, get_for_user

from . import services
from .forms import MoveForm, OrganizationForm, PartyGroupForm
from .models import Organization, PartyGroup

CHILDREN_LIMIT = 500


def _top_nodes(request: HttpRequest) -> list[Organization]:
    """The highest organizations the user may see: the roots of their view."""
    paths = request.user.scope_paths("view")  # type: ignore[union-attr]
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results: list[Organization] | None = None
    if q:
        visible = Organization.objects.restrict(request.user, "view")
        results = list(visible.filter(Q(name__icontains=q) | Q(code=q))[:50])
    roots = _top_nodes(request)
    context = {"roots": roots, "expand_single": len(roots) == 1, "q": q, "results": results}
    return render(request, "organizations/tree.html", context)


@login_required
def org_children(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    # Narrow first, restrict last: see ScopedQuerySet.restrict.
    children = Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1).restrict(
        request.user, "view"
    )
    return render(
        request,
        "organizations/_children.html",
        {"children": children[:CHILDREN_LIMIT], "parent": org, "limit": CHILDREN_LIMIT},
    )


def _breadcrumb(request: HttpRequest, org: Organization) -> list[dict[str, Any]]:
    visible = set(request.user.scope_paths("view"))  # type: ignore[union-attr]
    ancestors = Organization.objects.filter(path__in=ancestor_paths(org.path)).order_by("path")
    crumbs = []
    for node in ancestors:
        reachable = any(node.path.startswith(p) for p in visible)
        crumbs.append({"org": node, "link": reachable})
    return crumbs


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    from_members: dict[str, Any] = {}
    for hook in DETAIL_PANELS:
        from_members.update(hook(org))
    children = Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1)
    return render(
        request,
        "organizations/detail.html",
        {
            "org": org,
            "crumbs": _breadcrumb(request, org),
            "groups": PartyGroup.objects.filter(organization=org),
            "children": children[:CHILDREN_LIMIT],
            "can_change": in_scope(request.user, org, "change"),
            # From the grants the request has already read: no query of its own (page budget).
            "can_manage_tree": any(
                org.path.startswith(p)
                for p in request.user.scope_paths("manage_tree")  # type: ignore[union-attr]
            ),
            **from_members,
        },
    )


# Higher apps (members, later orglife…) register panels for the detail page here, so this app
# never imports them: each hook takes the organization and returns extra template context.
DETAIL_PANELS: list[Any] = []


def _form_data(form: OrganizationForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@login_required
def org_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = get_for_user(request, Organization, pk, "manage_tree")
    form = OrganizationForm(request.POST or None, initial={"sector": parent.sector})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(parent, _form_data(form), acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organization %(name)s added.") % {"name": org.name})
            return redirect("org_detail", pk=org.pk)
    return render(request, "organizations/form.html", {"form": form, "parent": parent, "org": None})


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "manage_tree")
    initial = {f: getattr(org, f) for f in services.ORG_FIELDS} | {"version": org.version}
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(
                org,
                _form_data(form),
                acting_user=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org_detail", pk=org.pk)
    return render(request, "organizations/form.html", {"form": form, "parent": None, "org": org})


@login_required
def org_move(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "manage_tree")
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = (
            Organization.objects.restrict(request.user, "manage_tree")
            .filter(code=form.cleaned_data["parent"].strip())
            .first()
        )
        if target is None:
            form.add_error("parent", _("No such organization within your reach."))
        else:
            try:
                services.move_organization(org, target, acting_user=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Organization moved."))
                return redirect("org_detail", pk=org.pk)
    return render(request, "organizations/move.html", {"form": form, "org": org})


@login_required
def group_create(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_for_user(request, Organization, pk, "change")
    form = PartyGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_party_group(branch, form.cleaned_data["name"], acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Party group added."))
            return redirect("org_detail", pk=branch.pk)
    return render(request, "organizations/group_form.html", {"form": form, "org": branch, "group": None})


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_for_user(request, PartyGroup, pk, "change", select_related=["organization"])
    form = PartyGroupForm(request.POST or None, initial={"name": group.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_party_group(group, form.cleaned_data["name"], acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org_detail", pk=group.organization_id)
    return render(
        request, "organizations/group_form.html", {"form": form, "org": group.organization, "group": group}
    )
