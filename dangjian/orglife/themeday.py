"""The branch theme party day (主题党日, work point 8): each branch fixes a day of the month, holds
its first theme day by 31 May, then one every month.

`set_theme_day` records the fixed day; `schedule_theme_days` fills the rest of the year's months
with theme day meetings on it; `theme_day_status` answers for a subtree, in two queries, which
branches set their day (and when), when each first held one and in how many months it was held.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import require_scope, write_service
from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import Meeting, MeetingKind, MeetingStatus, ThemeDaySetting
from .services import schedule_meeting


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})


@write_service("theme_day.set")
def set_theme_day(
    org: Organization, year: int, day_of_month: int, *, note: str = "", acting_user: Any
) -> ThemeDaySetting:
    """Fix (or move) the branch's theme day for a year. Moving it keeps the first date it was
    set on: the rule asks whether the day was set by 31 May, not when it last changed."""
    require_scope(acting_user, org, "change")
    _check_year(year)
    if not org.holds_members:
        raise ValidationError(_("Only a branch holds theme party days."))
    if not isinstance(day_of_month, int) or not 1 <= day_of_month <= 28:
        raise ValidationError({"day_of_month": _("Choose a day from 1 to 28, which every month has.")})
    setting = ThemeDaySetting.objects.select_for_update().filter(organization=org, year=year).first()
    before = setting.day_of_month if setting else None
    if setting is None:
        setting = ThemeDaySetting(organization=org, year=year, set_on=timezone.localdate())
    setting.day_of_month, setting.note = day_of_month, note.strip()[:200]
    setting.save()
    audit.record(
        "theme_day.set",
        actor=acting_user,
        obj=setting,
        org_path=org.path,
        changes={"day_of_month": [before, day_of_month]},
    )
    events.changed("orglife.themeday", org.pk, date(year, 1, 1))
    return setting


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


@transaction.atomic
def schedule_theme_days(
    org: Organization,
    year: int,
    *,
    topic: str,
    start: time,
    end: time,
    acting_user: Any,
    today: date | None = None,
) -> list[Meeting]:
    """A theme day meeting on the fixed day of every remaining month of the year that has none
    yet (planned or held). All or nothing; each meeting is created and audited by the meeting
    service."""
    require_scope(acting_user, org, "change")
    setting = ThemeDaySetting.objects.filter(organization=org, year=year).first()
    if setting is None:
        raise ValidationError(_("Set the branch's theme day for the year first."))
    topic = topic.strip() or _("Theme party day")
    if end <= start:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    today = today or timezone.localdate()
    taken = set(
        Meeting.objects.filter(organization=org, kind=MeetingKind.THEME_DAY, starts_at__year=year)
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(month=ExtractMonth("starts_at"))
        .values_list("month", flat=True)
    )
    created = []
    for month in range(1, 13):
        day = date(year, month, setting.day_of_month)
        if day < today or month in taken:
            continue
        data = {
            "kind": MeetingKind.THEME_DAY,
            "topic": topic,
            "starts_at": _local(day, start),
            "ends_at": _local(day, end),
        }
        created.append(schedule_meeting(org, data, acting_user=acting_user))
    return created


@dataclass(frozen=True)
class ThemeDayStatus:
    day_of_month: int | None = None
    set_on: date | None = None
    first_held: date | None = None
    months_held: int = 0

    def set_by(self, deadline: date) -> bool:
        return self.set_on is not None and self.set_on <= deadline

    def held_by(self, deadline: date) -> bool:
        return self.first_held is not None and self.first_held <= deadline


def theme_day_status(org_path: str, year: int) -> dict[int, ThemeDayStatus]:
    """{organization id: its theme day this year} for every branch of the subtree that set a day
    or held a theme day (closed) this year; a branch missing from the result did neither."""
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    settings = ThemeDaySetting.objects.filter(subtree_q(org_path, "organization__path"), year=year)
    result = {
        s["organization_id"]: ThemeDayStatus(s["day_of_month"], s["set_on"])
        for s in settings.values("organization_id", "day_of_month", "set_on")
    }
    held = (
        Meeting.objects.filter(
            subtree_q(org_path, "organization__path"),
            kind=MeetingKind.THEME_DAY,
            status=MeetingStatus.CLOSED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .values("organization_id")
        .annotate(first=Min("starts_at"), months=Count(ExtractMonth("starts_at"), distinct=True))
        .order_by()
    )
    for row in held:
        known = result.get(row["organization_id"], ThemeDayStatus())
        first = timezone.localtime(row["first"], tz).date()
        result[row["organization_id"]] = ThemeDayStatus(
            known.day_of_month, known.set_on, first, row["months"]
        )
    return result


def month_overview(org: Organization, year: int) -> list[dict[str, Any]]:
    """The branch's twelve months: the theme day meetings of each (cancelled ones left out)."""
    meetings = (
        Meeting.objects.filter(organization=org, kind=MeetingKind.THEME_DAY, starts_at__year=year)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )
    by_month: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_month.setdefault(timezone.localtime(meeting.starts_at).month, []).append(meeting)
    return [{"month": m, "meetings": by_month.get(m, [])} for m in range(1, 13)]
