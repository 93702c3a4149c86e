"""The audit log, readable by audit administrators only, for their subtree."""

from datetime import datetime, time

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .params import is_int
from .views import htmx_partial
from .widgets import IsoDateInput

PAGE = 100


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"), required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    actor = forms.CharField(
        label=_("Actor"), required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", "—"), ("ok", _("Succeeded")), ("failed", _("Failed"))],
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=IsoDateInput(),
    )
    until = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.can("view_audit"):  # type: ignore[union-attr]
        raise Http404
    entries = AuditEntry.objects.restrict(request.user, "view_audit")
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            entries = entries.filter(actor_name=data["actor"].strip())
        if data["outcome"]:
            entries = entries.filter(success=data["outcome"] == "ok")
        tz = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(at__gte=datetime.combine(data["since"], time.min, tz))
        if data["until"]:
            entries = entries.filter(at__lte=datetime.combine(data["until"], time.max, tz))
    before = request.GET.get("before", "")
    if is_int(before):
        entries = entries.filter(id__lt=int(before))
    page = list(entries.order_by("-id")[: PAGE + 1])
    context = {
        "form": form,
        "entries": page[:PAGE],
        "next_before": page[PAGE - 1].pk if len(page) > PAGE else None,
    }
    template = "core/_audit_rows.html" if htmx_partial(request) else "core/audit_log.html"
    return render(request, template, context)
