"""Committee members' links page of an organization, `/orgs/<pk>/committee-links/`.

For a committee: its members in post with the branches each links, the branches of its subtree
that nobody links (work point 24: every branch covered), the forms to link a branch, end a link
and record a visit, and the latest visits. For a branch: who links it, and their visits.
Routes are keyed by the organization (a link or visit is found only among the committee's own),
so one outside the user's reach answers 404 before anything else is read.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.tree import subtree_q
from dangjian.core.views import apply_errors, get_for_user
from dangjian.leaders.models import LeadingCadre
from dangjian.organizations.models import BRANCH_KINDS, COMMITTEE_KINDS, Organization

from . import link_services
from .common import int_param
from .forms import LinkForm, VisitForm
from .models import CommitteeLink
from .queries import CadreLinks, committee_overview, recent_visits

BRANCH_CHOICES_LIMIT = 2000


def _page_url(org: Organization) -> str:
    return f"/orgs/{org.pk}/committee-links/"


def _link_form(org: Organization, rows: list[CadreLinks], data: Any = None) -> LinkForm:
    branches = Organization.objects.filter(subtree_q(org.path), kind__in=BRANCH_KINDS).order_by("path")
    return LinkForm(
        data,
        cadres=[(r.cadre.pk, f"{r.cadre.member.name} · {r.cadre.post}") for r in rows],
        branches=[(b.pk, b.name) for b in branches.only("pk", "name")[:BRANCH_CHOICES_LIMIT]],
    )


def _visit_form(rows: list[CadreLinks], data: Any = None) -> VisitForm:
    links = [(link.pk, f"{r.cadre.member.name} → {link.branch.name}") for r in rows for link in r.links]
    return VisitForm(data, links=links)


def _create_link(request: HttpRequest, org: Organization, form: LinkForm) -> bool:
    data = form.cleaned_data
    cadre = LeadingCadre.objects.filter(pk=data["cadre"], committee=org).first()
    branch = Organization.objects.filter(pk=data["branch"]).restrict(request.user, "view").first()
    if cadre is None:
        form.add_error("cadre", _("Choose a member of this committee."))
        return False
    if branch is None:
        form.add_error("branch", _("No organization with this number within your reach."))
        return False
    try:
        link_services.link_branch(cadre, branch, since=data["since"], acting_user=request.user)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(
        request, _("%(name)s now links %(org)s.") % {"name": cadre.member.name, "org": branch.name}
    )
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def org_committee_links(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page. POST (committee staff): link a committee member to a branch."""
    org = get_for_user(request, Organization, pk)
    context: dict[str, Any] = {"org": org, "tab": "committee_links"}
    status = 200
    if org.kind in COMMITTEE_KINDS:
        can_change = in_scope(request.user, org, "change")
        if request.method == "POST" and not can_change:
            raise Http404
        rows, unlinked, unlinked_total = committee_overview(org)
        link_form = None
        if can_change and rows:
            link_form = _link_form(org, rows, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if link_form is not None and link_form.is_valid() and _create_link(request, org, link_form):
                return redirect(_page_url(org))
            status = 400
        context |= {
            "is_committee": True,
            "can_change": can_change,
            "rows": rows,
            "unlinked": unlinked,
            "unlinked_total": unlinked_total,
            "link_form": link_form,
            "visit_form": _visit_form(rows) if can_change else None,
            "visits": recent_visits(CommitteeLink.objects.filter(committee=org)),
        }
    elif request.method == "POST":
        raise Http404
    elif org.is_branch:
        links = CommitteeLink.objects.filter(branch=org, ended_on__isnull=True, cadre__active=True)
        context |= {
            "linked_by": list(links.select_related("cadre__member", "committee").order_by("since", "id")),
            "visits": recent_visits(CommitteeLink.objects.filter(branch=org)),
        }
    return render(request, "supervision/committee_links.html", context, status=status)


def _posted_link(request: HttpRequest, pk: int) -> tuple[Organization, CommitteeLink]:
    org = get_for_user(request, Organization, pk)
    link_id = int_param(request.POST.get("link"))
    link = CommitteeLink.objects.filter(pk=link_id, committee=org).first() if link_id else None
    if link is None:
        raise Http404
    return org, link


@login_required
@require_POST
def committee_link_end(request: HttpRequest, pk: int) -> HttpResponse:
    org, link = _posted_link(request, pk)
    try:
        link_services.end_link(link, acting_user=request.user)
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The link has ended; it stays on record with its visits."))
    return redirect(_page_url(org))


@login_required
@require_POST
def committee_link_visit(request: HttpRequest, pk: int) -> HttpResponse:
    org, link = _posted_link(request, pk)
    form = VisitForm(request.POST, links=[(link.pk, "")])
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_page_url(org))
    try:
        link_services.record_visit(link, form.cleaned_data, acting_user=request.user)
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Visit recorded."))
    return redirect(_page_url(org))
