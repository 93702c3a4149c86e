"""A branch's theme party day page: the fixed day, the year's twelve months, and scheduling."""

from datetime import time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.organizations.models import Organization

from .models import ThemeDaySetting
from .themeday import month_overview, schedule_theme_days, set_theme_day

TEXT = {"class": "form-control"}


class ThemeDayForm(forms.Form):
    day_of_month = forms.IntegerField(
        label=gettext_lazy("Day of the month"),
        min_value=1,
        max_value=28,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=gettext_lazy("1 to 28, so that every month has it."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class ScheduleForm(forms.Form):
    topic = forms.CharField(
        label=gettext_lazy("Topic"),
        max_length=200,
        initial=gettext_lazy("Theme party day"),
        widget=forms.TextInput(attrs=TEXT),
    )
    start = forms.TimeField(
        label=gettext_lazy("Start time"),
        initial=time(9),
        widget=forms.TimeInput({**TEXT, "type": "time"}, "%H:%M"),
    )
    end = forms.TimeField(
        label=gettext_lazy("End time"),
        initial=time(11),
        widget=forms.TimeInput({**TEXT, "type": "time"}, "%H:%M"),
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
def theme_day(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = _year(request)
    setting = ThemeDaySetting.objects.filter(organization=org, year=year).first()
    can_change = org.holds_members and in_scope(request.user, org, "change")
    day_form = ThemeDayForm(
        request.POST if "set_day" in request.POST else None,
        initial={"day_of_month": setting.day_of_month, "note": setting.note} if setting else None,
    )
    schedule_form = ScheduleForm(request.POST if "schedule" in request.POST else None)
    if request.method == "POST":
        if not can_change:
            # Read-only users never see the forms; a crafted POST changes nothing.
            get_for_user(request, Organization, pk, "change")
        try:
            if "set_day" in request.POST and day_form.is_valid():
                data = day_form.cleaned_data
                set_theme_day(org, year, data["day_of_month"], note=data["note"], acting_user=request.user)
                messages.success(request, _("Theme party day saved."))
                return redirect(f"{request.path}?year={year}")
            if "schedule" in request.POST and schedule_form.is_valid():
                data = schedule_form.cleaned_data
                created = schedule_theme_days(
                    org,
                    year,
                    topic=data["topic"],
                    start=data["start"],
                    end=data["end"],
                    acting_user=request.user,
                )
                messages.success(
                    request,
                    ngettext("%(n)d theme day scheduled.", "%(n)d theme days scheduled.", len(created))
                    % {"n": len(created)},
                )
                return redirect(f"{request.path}?year={year}")
        except ValidationError as exc:
            apply_errors(day_form if "set_day" in request.POST else schedule_form, exc)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orglife/theme_day.html",
        {
            "org": org,
            "year": year,
            "setting": setting,
            "months": month_overview(org, year),
            "can_change": can_change,
            "day_form": day_form,
            "schedule_form": schedule_form,
        },
        status=status,
    )
