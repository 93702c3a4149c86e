"""An organization's study plan for a year: items by month, and which meetings carried them out."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting

from . import services
from .models import StudyItem, StudyPlan
from .queries import plan_progress

TEXT = {"class": "form-control"}


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))


class ItemForm(forms.Form):
    month = forms.IntegerField(
        label=gettext_lazy("Month"), min_value=1, max_value=12, widget=forms.NumberInput(attrs=TEXT)
    )
    theme = forms.CharField(label=gettext_lazy("Theme"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    readings = forms.CharField(
        label=gettext_lazy("Readings"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
def study_plan(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = _year(request)
    plan = StudyPlan.objects.filter(organization=org, year=year).first()
    can_change = in_scope(request.user, org, "change")
    plan_form = PlanForm(request.POST if "create_plan" in request.POST else None)
    item_form = ItemForm(request.POST if "add_item" in request.POST else None)
    if request.method == "POST" and can_change:
        try:
            if "create_plan" in request.POST and plan_form.is_valid():
                services.create_plan(org, year, plan_form.cleaned_data["title"], acting_user=request.user)
                messages.success(request, _("Study plan created."))
                return redirect(f"{request.path}?year={year}")
            if "add_item" in request.POST and plan is not None and item_form.is_valid():
                data = item_form.cleaned_data
                services.add_item(
                    plan, data["month"], data["theme"], data["readings"], acting_user=request.user
                )
                messages.success(request, _("Item added."))
                return redirect(f"{request.path}?year={year}")
        except ValidationError as exc:
            apply_errors(plan_form if "create_plan" in request.POST else item_form, exc)
    meetings = Meeting.objects.filter(organization=org, starts_at__year=year).order_by("starts_at")
    return render(
        request,
        "study/plan.html",
        {
            "org": org,
            "year": year,
            "plan": plan,
            "can_change": can_change,
            "progress": plan_progress(plan) if plan else [],
            "plan_form": plan_form,
            "item_form": item_form,
            "meetings": meetings if can_change else [],
        },
    )


@login_required
def link_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(request, StudyItem, pk, "change", select_related=["plan__organization"])
    if request.method == "POST":
        meeting = (
            Meeting.objects.restrict(request.user, "change")
            .filter(pk=request.POST.get("meeting") or 0)
            .first()
        )
        if meeting is None:
            messages.error(request, _("Choose one of the organization's meetings."))
        else:
            try:
                services.link_meeting(item, meeting, acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Meeting linked to the plan."))
    return redirect(f"/orgs/{item.plan.organization_id}/study/?year={item.plan.year}")


@login_required
def my_study(request: HttpRequest) -> HttpResponse:
    """A member's read-only view of their own branch's study plan (the 学习 tab): the branch is
    the member record's organization, so no grant on it is needed, and nothing can be changed."""
    member = getattr(request.user, "member", None)
    if member is None:
        return redirect("my_page")
    org = member.organization
    year = _year(request)
    plan = StudyPlan.objects.filter(organization=org, year=year).first()
    return render(
        request,
        "study/plan.html",
        {
            "org": org,
            "own_branch": True,
            "year": year,
            "plan": plan,
            "can_change": False,
            "progress": plan_progress(plan) if plan else [],
        },
    )
