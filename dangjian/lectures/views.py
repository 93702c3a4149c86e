"""A committee's lecturer pool, dispatching lectures to branches, and the branch's confirmation."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.tree import subtree_q
from dangjian.core.views import apply_errors, get_for_user, redirect_back
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import services
from .models import DispatchStatus, LectureDispatch, Lecturer, LecturerKind
from .queries import REPORTER_YEARLY_TARGET, lecture_counts

TEXT = {"class": "form-control"}


class LecturerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=LecturerKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    is_reporter = forms.BooleanField(
        label=gettext_lazy("Party-spirit education reporter"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class DispatchForm(forms.Form):
    lecturer = forms.ModelChoiceField(
        label=gettext_lazy("Lecturer"),
        queryset=Lecturer.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    branch_code = forms.CharField(
        label=gettext_lazy("Branch code"), max_length=32, widget=forms.TextInput(attrs=TEXT)
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}))
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: object, org: Organization, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lecturer"].queryset = Lecturer.objects.filter(organization=org, active=True)  # type: ignore[attr-defined]


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
def lecturers(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = _year(request)
    can_change = in_scope(request.user, org, "change")
    keeps_pool = org.kind in COMMITTEE_KINDS
    form = LecturerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and can_change and keeps_pool and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_lecturer(
                org,
                data["name"],
                data["kind"],
                data["title"],
                is_reporter=data["is_reporter"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Lecturer added."))
            return redirect(f"{request.path}?year={year}")
    pool = list(Lecturer.objects.filter(organization=org))
    counts = lecture_counts([lec.pk for lec in pool], year)
    rows = [(lec, counts.get(lec.pk, 0)) for lec in pool]
    dispatches = list(
        LectureDispatch.objects.restrict(request.user, "view")
        .filter(subtree_q(org.path, "branch__path"), date__year=year)
        .select_related("lecturer", "branch")
    )
    attach_steps(dispatches)
    changeable = set(
        LectureDispatch.objects.restrict(request.user, "change")
        .filter(subtree_q(org.path, "branch__path"), date__year=year, status=DispatchStatus.PROPOSED)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "lectures/lecturers.html",
        {
            "org": org,
            "year": year,
            "can_change": can_change,
            "keeps_pool": keeps_pool,
            "rows": rows,
            "target": REPORTER_YEARLY_TARGET,
            "form": form,
            "dispatches": dispatches,
            "changeable": changeable,
            "today": timezone.localdate(),
        },
    )


@login_required
def dispatch_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    form = DispatchForm(request.POST if request.method == "POST" else None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        branch = (
            Organization.objects.restrict(request.user, "change")
            .filter(code=data["branch_code"].strip())
            .first()
        )
        if branch is None:
            form.add_error("branch_code", _("No organization with this code within your reach."))
        else:
            try:
                services.dispatch_lecture(
                    data["lecturer"], branch, data["date"], data["topic"], acting_user=request.user
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "branch" in exc.error_dict:
                    exc.error_dict["branch_code"] = exc.error_dict.pop("branch")
                apply_errors(form, exc)
            else:
                messages.success(request, _("Lecture dispatched."))
                return redirect(f"/orgs/{org.pk}/lecturers/?year={data['date'].year}")
    return render(request, "lectures/dispatch_form.html", {"org": org, "form": form})


def _back(request: HttpRequest, dispatch: LectureDispatch) -> HttpResponse:
    return redirect_back(request, f"/orgs/{dispatch.branch_id}/lecturers/?year={dispatch.date.year}")


@login_required
@require_POST
def dispatch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = get_for_user(request, LectureDispatch, pk, "change")
    try:
        dispatch = services.confirm_held(dispatch, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request, dispatch)
    messages.success(request, _("Lecture confirmed; the party lecture meeting was recorded."))
    return redirect("meeting_detail", dispatch.meeting_id)
