"""Shared set-up for the points tests: a township rule set for 2025 and meetings held then."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment
from dangjian.dues.services import record_payment, set_profile
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.points.models import PointEntry, PointRule
from dangjian.points.services import create_rule, propose_entry

YEAR = 2025
THREE_MEETINGS = ["branch_assembly", "branch_committee", "group_meeting", "party_lecture"]


def rule(
    committee: Organization, kind: str, name: str, points: int, *, by: Any = SYSTEM, **extra: Any
) -> PointRule:
    data = {"kind": kind, "name": name, "points": points, "year": extra.pop("year", YEAR), **extra}
    return create_rule(committee, data, acting_user=by)


def standard_rules(committee: Organization, year: int = YEAR) -> dict[str, PointRule]:
    """The issue's example set, with caps: 三会一课 +2 (6 a quarter), theme day +2, dues +1 a
    month (12 a year), volunteer +1 an hour (10 a month), absence −2 (4 a year), good deed +3."""
    return {
        "meeting": rule(
            committee,
            "meeting_attendance",
            "参加三会一课",
            2,
            meeting_kinds=THREE_MEETINGS,
            cap_points=6,
            cap_period="quarter",
            year=year,
        ),
        "theme": rule(committee, "theme_day", "参加主题党日", 2, year=year),
        "dues": rule(
            committee, "dues_on_time", "按时交纳党费", 1, cap_points=12, cap_period="year", year=year
        ),
        "volunteer": rule(
            committee, "volunteer_hour", "志愿服务", 1, cap_points=10, cap_period="month", year=year
        ),
        "absence": rule(committee, "absence", "无故缺席", -2, cap_points=4, cap_period="year", year=year),
        "deed": rule(committee, "manual", "好人好事", 3, year=year),
    }


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def held(
    org: Organization, kind: str, day: date, statuses: dict[Member, str], topic: str = "学习"
) -> Meeting:
    """A closed meeting of `org` on `day` with the given attendance (everyone expected listed)."""
    meeting = schedule_meeting(
        org,
        {"kind": kind, "topic": topic, "starts_at": at(day), "ends_at": at(day, 11)},
        acting_user=SYSTEM,
    )
    entries = [
        {"member": m.pk, "status": s, "reason": "外出" if s == "leave" else ""} for m, s in statuses.items()
    ]
    record_attendance(meeting, entries, acting_user=SYSTEM)
    return close_meeting(meeting, acting_user=SYSTEM)


def student(member: Member, since: date = date(YEAR, 1, 1)) -> None:
    set_profile(member, "student", effective_from=since, acting_user=SYSTEM, today=since)


def paid(member: Member, first: date, last: date, on: date, receipt: str) -> DuesPayment:
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return record_payment(
        member,
        period_from=first,
        period_to=last,
        amount=Decimal("0.20") * months,
        receipt_no=receipt,
        paid_on=on,
        today=on,
        acting_user=SYSTEM,
    )


def claim(
    member: Member, rule_: PointRule, hours: int = 1, on: date | None = None, by: Any = SYSTEM
) -> PointEntry:
    return propose_entry(
        member,
        rule_,
        reason="社区志愿服务",
        occurred_on=on or date(YEAR, 6, 1),
        quantity=hours,
        acting_user=by,
    )
