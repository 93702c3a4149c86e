"""One leader's page: their study plan, works, lectures given and meetings attended; the works'
attachments; and `/my/leader/`, the signed-in leader's way to their own page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors
from dangjian.orglife.models import Meeting

from . import services
from .access import get_leader_for_user, get_work_for_user, may_write
from .files import attachment_response
from .forms import PlanItemFormSet, WorkForm
from .models import LeaderStudyPlan, LeadingCadre
from .queries import (
    branch_study_attended,
    democratic_life_attended,
    lectures_given,
    year_bounds,
)
from .views import year_param

LIST_LIMIT = 100


def _linkable(user: Any, meetings: list[Meeting]) -> set[int]:
    """The meetings the viewer may open (a leader sees their branch's, not the committee's)."""
    ids = [m.pk for m in meetings]
    return set(Meeting.objects.filter(pk__in=ids).restrict(user, "view").values_list("pk", flat=True))


def _page(
    request: HttpRequest, leader: LeadingCadre, year: int, form: WorkForm, status: int = 200
) -> HttpResponse:
    start, end = year_bounds(year)
    plan = LeaderStudyPlan.objects.filter(leader=leader, year=year).prefetch_related("items").first()
    works = list(leader.works.filter(written_on__gte=start, written_on__lt=end)[:LIST_LIMIT])  # type: ignore[attr-defined]
    lectures = list(lectures_given(leader, start, end)[:LIST_LIMIT])
    branch = list(branch_study_attended(leader, start, end)[:LIST_LIMIT])
    democratic = list(democratic_life_attended(leader, start, end)[:LIST_LIMIT])
    return render(
        request,
        "leaders/leader.html",
        {
            "leader": leader,
            "year": year,
            "plan": plan,
            "works": works,
            "lectures": lectures,
            "branch_meetings": branch,
            "democratic_meetings": democratic,
            "linkable": _linkable(request.user, lectures + branch + democratic),
            "can_write": may_write(request.user, leader),
            "can_manage": in_scope(request.user, leader, "change"),
            "form": form,
        },
        status=status,
    )


@login_required
def leader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page. POST: submit a work (text and/or file) for the leader."""
    write = request.method == "POST"
    leader = get_leader_for_user(request.user, pk, write=write)
    year = year_param(request)
    form = WorkForm(request.POST or None, request.FILES or None)
    if write and form.is_valid():
        data = form.cleaned_data
        try:
            work = services.submit_work(leader, data, data.get("attachment"), acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is recorded.") % {"title": work.title})
            return redirect(f"{request.path}?year={work.written_on.year}")
    return _page(request, leader, year, form, status=400 if write else 200)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    leader = get_leader_for_user(request.user, pk, write=True)
    year = year_param(request)
    plan = LeaderStudyPlan.objects.filter(leader=leader, year=year).first()
    initial = [
        {"month": i.month, "theme": i.theme, "readings": i.readings}
        for i in (plan.items.all() if plan else [])  # type: ignore[attr-defined]
    ]
    formset = PlanItemFormSet(request.POST or None, initial=initial, prefix="items")
    error = ""
    if request.method == "POST" and formset.is_valid():
        items = [f.cleaned_data for f in formset.forms if not f.is_blank()]  # type: ignore[attr-defined]
        try:
            services.set_plan(leader, year, items, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Study plan saved."))
            return redirect(f"/leaders/{leader.pk}/?year={year}")
    return render(
        request,
        "leaders/plan_form.html",
        {"leader": leader, "year": year, "formset": formset, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def work_file(request: HttpRequest, pk: int) -> FileResponse:
    """The work's attachment, to whoever may see the work."""
    return attachment_response(request.user, get_work_for_user(request.user, pk))


@login_required
@require_POST
def work_remove(request: HttpRequest, pk: int) -> HttpResponse:
    work = get_work_for_user(request.user, pk, write=True)
    try:
        services.remove_work(work, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The work was removed."))
    return redirect(f"/leaders/{work.leader_id}/?year={work.written_on.year}")


@login_required
def my_leader(request: HttpRequest) -> HttpResponse:
    """The signed-in leader's own page; a choice if they lead more than one committee."""
    member_id = getattr(request.user, "member_id", None)
    posts = list(
        LeadingCadre.objects.filter(member_id=member_id, active=True).select_related("committee")
        if member_id
        else []
    )
    if len(posts) == 1:
        return redirect("leader_detail", pk=posts[0].pk)
    return render(request, "leaders/my_leader.html", {"posts": posts})
