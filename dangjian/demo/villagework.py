"""The demo county's first secretaries and village work teams (point 22), so the overview, the
village and assignment pages and the rule `first-secretaries` have something to show.

Four villages of the county flagged as poverty-alleviation villages since January of last year.
The first has had a handover: its first secretary handed over two months ago and the successor
began the next day. The first two have a work team, a month of work logs and every past quarter
assessed; the third's last quarter is not assessed, the fourth has no first secretary (both are
highlighted on the overview and shown on the rule). One training session of village secretaries
last month, with its attendance. Everything goes through the services, as the county's staff and
the village secretaries would. The personas' branch is left out.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.members.models import CommitteePost, Member
from dangjian.organizations.models import Organization, Sector
from dangjian.villagework import services
from dangjian.villagework.models import Assignment
from dangjian.villagework.quarters import last_ended, quarter_bounds

UNITS = ("县财政局", "县交通运输局", "县农业农村局", "县人民医院")
NAMES = ("李建国", "王志强", "陈晓东", "刘卫民")
LOGS = (
    ("visit", "走访建档立卡户，了解生产生活情况", 6),
    ("project", "对接县农业农村局，推进村集体油茶基地建设", 0),
    ("help", "帮助脱贫户申请小额信贷和产业奖补", 3),
    ("other", "召开村“两委”会议，研究巩固脱贫成果措施", 0),
)


def _phone(i: int) -> str:
    return f"1390731{i:04d}"


def _assessed(row: Assignment, today: date, staff: Any, *, skip_last: bool = False) -> int:
    """Every quarter from the assignment's first up to the last ended one (the last left out)."""
    last = last_ended(today)
    year, quarter = row.start.year, (row.start.month - 1) // 3 + 1
    quarters = []
    while (year, quarter) <= last:
        first_day, last_day = quarter_bounds(year, quarter)
        if last_day >= row.start and (row.end is None or first_day <= row.end):
            quarters.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    if skip_last:
        quarters = quarters[:-1]
    for i, (year, quarter) in enumerate(quarters):
        grade = "excellent" if i % 3 == 0 else "competent"
        services.assess(row, year, quarter, grade, "驻村工作扎实，群众认可", acting_user=staff)
    return len(quarters)


def _logs(row: Assignment, today: date, author: Any) -> None:
    for k, (kind, note, households) in enumerate(LOGS):
        on = max(row.start, today - timedelta(days=7 * k + 1))
        services.add_log(
            row, {"on": on, "kind": kind, "note": note, "households": households}, acting_user=author
        )


def _assign(
    county: Organization, village: Organization, role: str, i: int, start: date, staff: Any
) -> Assignment:
    return services.assign(
        county,
        village,
        {
            "role": role,
            "name": NAMES[i % len(NAMES)] if role == "first_secretary" else f"工作队员{i + 1}",
            "sending_unit": UNITS[i % len(UNITS)],
            "phone": _phone(i),
            "start": start,
        },
        acting_user=staff,
    )


def create_county_villagework(
    county: Organization, *, lively: Organization | None = None, today: date | None = None
) -> dict[str, int]:
    """Flagged villages of `county` with their first secretaries (see the module's docstring)."""
    today = today or timezone.localdate()
    staff = User.objects.filter(username="county_staff").first() or SYSTEM
    villages = [
        v
        for v in Organization.objects.filter(
            subtree_q(county.path), sector=Sector.RURAL, depth__gt=county.depth + 1
        )
        .exclude(pk=lively.pk if lively is not None else 0)
        .order_by("path")
        if services.is_village(v)
    ][:4]
    if len(villages) < 4:
        return {}
    since = date(today.year - 1, 1, 1)
    for village in villages:
        services.flag_village(county, village, since, "建档立卡贫困村，村集体经济薄弱", acting_user=staff)
    start = date(today.year - 1, 3, 1)
    assessments = 0
    first = _assign(county, villages[0], "first_secretary", 0, start, staff)
    handover = today - timedelta(days=60)
    services.hand_over(
        first, handover, "工作台账、帮扶档案和在建项目资料已移交继任第一书记", acting_user=staff
    )
    successor = _assign(county, villages[0], "first_secretary", 3, handover + timedelta(days=1), staff)
    second = _assign(county, villages[1], "first_secretary", 1, start, staff)
    third = _assign(county, villages[2], "first_secretary", 2, start, staff)
    for i, village in enumerate(villages[:2]):
        _assign(county, village, "team_leader", 2 * i + 4, start, staff)
        _assign(county, village, "team_member", 2 * i + 5, start, staff)
    for row in (first, successor, second):
        assessments += _assessed(Assignment.objects.get(pk=row.pk), today, staff)
    assessments += _assessed(third, today, staff, skip_last=True)
    for row in (successor, second, third):
        _logs(row, today, SYSTEM)
    session = services.create_training(
        county,
        {
            "title": "全县村党组织书记示范培训班",
            "start": max(today - timedelta(days=40), date(today.year, 1, 1)),
            "end": max(today - timedelta(days=37), date(today.year, 1, 4)),
            "hours": "32",
        },
        acting_user=staff,
    )
    for village in villages:
        secretary = Member.objects.filter(
            organization=village, committee_post=CommitteePost.SECRETARY
        ).first()
        name = secretary.name if secretary is not None else "村党组织书记"
        services.record_attendance(session, village, name, acting_user=staff)
    return {"villages": len(villages), "assessments": assessments, "without": 1}
