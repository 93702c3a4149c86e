"""All writes to study plans."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import require_scope, write_service
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting

from .models import StudyItem, StudyPlan


@write_service("study_plan.create")
def create_plan(org: Organization, year: int, title: str, *, acting_user: Any) -> StudyPlan:
    require_scope(acting_user, org, "change")
    title = title.strip()
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    if not title:
        errors["title"] = _("Enter the plan's title.")
    elif StudyPlan.objects.filter(organization=org, year=year).exists():
        errors["year"] = _("This organization already has a study plan for that year.")
    if errors:
        raise ValidationError(errors)
    plan = StudyPlan.objects.create(organization=org, year=year, title=title)
    audit.record(
        "study_plan.create",
        actor=acting_user,
        obj=plan,
        org_path=org.path,
        changes={"year": [None, year], "title": [None, title]},
    )
    events.changed("study.plan", org.pk, date(year, 1, 1))
    return plan


@write_service("study_plan.add_item")
def add_item(plan: StudyPlan, month: int, theme: str, readings: str = "", *, acting_user: Any) -> StudyItem:
    plan = StudyPlan.objects.select_related("organization").get(pk=plan.pk)
    require_scope(acting_user, plan, "change")
    theme = theme.strip()
    errors = {}
    if not 1 <= month <= 12:
        errors["month"] = _("Choose a month from 1 to 12.")
    if not theme:
        errors["theme"] = _("Enter the theme.")
    if errors:
        raise ValidationError(errors)
    item = StudyItem.objects.create(plan=plan, month=month, theme=theme, readings=readings.strip())
    audit.record(
        "study_plan.add_item",
        actor=acting_user,
        obj=plan,
        org_path=plan.organization.path,
        changes={"item": [None, str(item)]},
    )
    return item


@write_service("study_plan.link_meeting")
def link_meeting(item: StudyItem, meeting: Meeting, *, acting_user: Any) -> None:
    """Record that `meeting` carried out the plan item: same organization, same year."""
    item = StudyItem.objects.select_related("plan__organization").get(pk=item.pk)
    require_scope(acting_user, item, "change")
    require_scope(acting_user, meeting, "change")
    if meeting.organization_id != item.plan.organization_id:
        raise ValidationError({"meeting": _("Link a meeting of the plan's own organization.")})
    # A plan's year is a Beijing year: 00:30 on 1 January in Beijing is still 31 December in UTC.
    if timezone.localtime(meeting.starts_at).year != item.plan.year:
        raise ValidationError({"meeting": _("The meeting is not in the plan's year.")})
    item.meetings.add(meeting)
    audit.record(
        "study_plan.link_meeting",
        actor=acting_user,
        obj=item.plan,
        org_path=item.plan.organization.path,
        changes={"meeting": [None, str(meeting)], "item": [None, str(item)]},
    )
