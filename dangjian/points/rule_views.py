"""The committee's rule editor: the year's rules, adding one, copying last year's, editing one."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import services
from .forms import RuleForm
from .models import PointRule
from .rules import RuleBook
from .views import year_param


def _rule_data(form: RuleForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["cap_period"] = data.get("cap_period") or ""
    return data


@login_required
def org_point_rules(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request)
    can_change = in_scope(request.user, org, "change") and org.kind in COMMITTEE_KINDS
    post = request.POST if request.method == "POST" and can_change else None
    form = RuleForm(post if post and post.get("form") == "create" else None)
    if post is not None:
        try:
            if post.get("form") == "copy":
                n = services.copy_rules(org, year - 1, year, acting_user=request.user)
                messages.success(request, _("%(n)s rules copied from last year.") % {"n": n})
                return redirect(f"{request.path}?year={year}")
            if form.is_valid():
                services.create_rule(org, {**_rule_data(form), "year": year}, acting_user=request.user)
                messages.success(request, _("Rule added."))
                return redirect(f"{request.path}?year={year}")
        except ValidationError as exc:
            apply_errors(form, exc)
    own = list(PointRule.objects.filter(committee=org, year=year).order_by("kind", "id"))
    # A committee without rules of its own follows the nearest one above that has them.
    inherited: list[PointRule] = []
    if not any(r.active for r in own):
        book = RuleBook.for_org(org.path, year)
        inherited = [r for r in book.applicable(org.path) if r.committee_id != org.pk]
    return render(
        request,
        "points/rules.html",
        {
            "org": org,
            "year": year,
            "rules": own,
            "inherited": inherited,
            "inherited_from": inherited[0].committee if inherited else None,
            "can_change": can_change,
            "is_committee": org.kind in COMMITTEE_KINDS,
            "form": form,
        },
    )


@login_required
def point_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_user(request, PointRule, pk, "change", select_related=["committee"])
    initial = {
        "name": rule.name,
        "points": rule.points,
        "meeting_kinds": rule.meeting_kinds,
        "cap_points": rule.cap_points,
        "cap_period": rule.cap_period,
        "active": rule.active,
    }
    form = RuleForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rule(rule, _rule_data(form), acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"/orgs/{rule.committee_id}/point-rules/?year={rule.year}")
    return render(request, "points/rule_edit.html", {"rule": rule, "form": form})
