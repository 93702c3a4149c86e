"""A committee's leading cadres: the list with this year's counts, appointing, editing, ending."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.members.models import Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import services
from .forms import COMMON_POSTS, AppointForm, LeaderForm
from .models import LeadingCadre
from .queries import (
    CENTRAL_GROUP_YEARLY_TARGET,
    CommitteeCounts,
    committee_counts_for,
    counts_for,
    year_bounds,
)


def year_param(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
def org_leaders(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request)
    start, end = year_bounds(year)
    is_committee = org.kind in COMMITTEE_KINDS
    can_change = is_committee and in_scope(request.user, org, "change")
    form = AppointForm(request.POST if request.method == "POST" else None, initial=_prefill(request))
    if request.method == "POST" and can_change and form.is_valid():
        data = form.cleaned_data
        # Unscoped lookup: the service refuses a member outside the user's reach as OutOfScope,
        # which must read exactly like a number that does not exist.
        member = Member.objects.filter(pk=data["member_id"]).restrict(request.user, "view").first()
        if member is None:
            form.add_error("member_id", _("No member with this number within your reach."))
        else:
            try:
                services.appoint_leader(
                    org,
                    member,
                    data["post"],
                    principal=data["principal"],
                    since=data["since"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("%(name)s is recorded as a leading cadre.") % {"name": member.name}
                )
                return redirect(f"{request.path}?year={year}")
    # Who held a post at some time in the year, still in post first.
    leaders = (
        LeadingCadre.objects.filter(committee=org, since__lt=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .select_related("member")
        .order_by("-active", "-principal", "since", "id")
    )
    counts = counts_for(leaders, start, end)
    committee = committee_counts_for([org.pk], start, end).get(org.pk, CommitteeCounts(org.pk))
    return render(
        request,
        "leaders/org_leaders.html",
        {
            "org": org,
            "year": year,
            "is_committee": is_committee,
            "can_change": can_change,
            "rows": [(leader, counts[leader.pk]) for leader in leaders],
            "committee": committee,
            "target": CENTRAL_GROUP_YEARLY_TARGET,
            "form": form,
            "posts": COMMON_POSTS,
        },
        status=400 if request.method == "POST" else 200,
    )


def _prefill(request: HttpRequest) -> dict[str, object]:
    raw = request.GET.get("member", "")
    return {"member_id": int(raw)} if is_int(raw) else {}


@login_required
def leader_edit(request: HttpRequest, pk: int) -> HttpResponse:
    leader = get_for_user(request, LeadingCadre, pk, "change", select_related=["committee", "member"])
    initial = {"post": leader.post, "principal": leader.principal, "since": leader.since}
    form = LeaderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_leader(leader, form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("leader_detail", pk=leader.pk)
    return render(
        request, "leaders/leader_form.html", {"leader": leader, "form": form, "posts": COMMON_POSTS}
    )


@login_required
@require_POST
def leader_end(request: HttpRequest, pk: int) -> HttpResponse:
    leader = get_for_user(request, LeadingCadre, pk, "change")
    try:
        services.end_leader(leader, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The post has ended; the record is kept."))
    return redirect("leader_detail", pk=leader.pk)
