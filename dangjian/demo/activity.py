"""A year of organizational life for the demo personas' branch, made through the services (so it
is validated and audited like real work): the study plan, the theme day, the meetings of the
past months with attendance and minutes, and the coming ones.

Only the personas' branch gets activity: it is what a visitor signs in to see, and loading a
province stays a matter of organizations and members.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.dates import add_months
from dangjian.core.scoping import SYSTEM
from dangjian.dues.instructions import set_instructions
from dangjian.dues.months import month_start
from dangjian.dues.queries import DUES_STATUSES, member_dues
from dangjian.dues.services import record_payment, set_profile
from dangjian.evaluation.services import create_campaign, open_campaign
from dangjian.leaders.services import appoint_leader, set_plan, submit_work
from dangjian.members.models import Member, MemberStatus
from dangjian.notifications.services import notify
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.orglife.models import Meeting, MeetingKind
from dangjian.orglife.services import (
    add_guest,
    close_meeting,
    record_attendance,
    schedule_meeting,
    update_meeting,
)
from dangjian.orglife.themeday import schedule_theme_days, set_theme_day
from dangjian.points.accrual import accrue
from dangjian.points.services import create_rule, propose_entry
from dangjian.study.services import add_item, create_plan, link_meeting

STUDY_THEMES = [
    "学习党章党规，做合格党员",
    "学习习近平总书记系列重要讲话",
    "坚定理想信念，明确政治方向",
    "坚持根本宗旨，树立群众观念",
    "严守纪律规矩，加强道德修养",
    "讲奉献有作为，立足岗位作贡献",
    "学习党的基本理论",
    "学习党史，传承红色基因",
    "乡村振兴与基层治理",
    "发挥党员先锋模范作用",
    "廉洁自律，作风建设",
    "总结全年学习，开展组织生活会",
]
MINUTES = (
    "<p>会议由支部书记主持，应到{expected}人，实到{present}人。</p>"
    "<ul><li>传达学习上级文件精神；</li><li>结合工作实际开展讨论；</li><li>部署下阶段工作。</li></ul>"
)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _hold(meeting: Meeting, rng: random.Random) -> None:
    """Attendance in realistic shares, minutes, and the record closed."""
    entries = []
    for row in meeting.attendances.all():
        roll = rng.random()
        if roll < 0.85:
            entries.append({"attendance": row.pk, "status": "present"})
        elif roll < 0.95:
            entries.append(
                {"attendance": row.pk, "status": "leave", "reason": rng.choice(["外出务工", "生病", "出差"])}
            )
        else:
            entries.append({"attendance": row.pk, "status": "absent"})
    if entries:
        record_attendance(meeting, entries, acting_user=SYSTEM)
    present = sum(1 for e in entries if e["status"] == "present")
    minutes = MINUTES.format(expected=len(entries), present=present)
    update_meeting(meeting, {"minutes": minutes}, acting_user=SYSTEM)
    close_meeting(meeting, acting_user=SYSTEM)


def _meeting(branch: Organization, kind: str, topic: str, start: datetime, **extra: object) -> Meeting:
    data = {"kind": kind, "topic": topic, "starts_at": start, "ends_at": start + timedelta(hours=2), **extra}
    return schedule_meeting(branch, data, acting_user=SYSTEM)


def create_demo_activity(branch: Organization, today: date | None = None, seed: int = 2017) -> int:
    """The branch's year so far and the weeks ahead; returns the number of meetings made."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    year = today.year
    plan = create_plan(branch, year, f"{branch.name}{year}年度学习计划", acting_user=SYSTEM)
    items = {
        month: add_item(plan, month, theme, "《中国共产党章程》", acting_user=SYSTEM)
        for month, theme in enumerate(STUDY_THEMES, start=1)
    }
    set_theme_day(branch, year, 15, note="每月15日上午", acting_user=SYSTEM)
    group = PartyGroup.objects.filter(organization=branch).order_by("id").first()
    lecturer = Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).order_by("id").first()
    made = 0
    for month in range(1, today.month + 1):
        first = date(year, month, 1)
        plans: list[tuple[str, str, date, dict[str, object]]] = [
            (MeetingKind.BRANCH_COMMITTEE, "研究本月支部工作", first + timedelta(days=4), {}),
            (MeetingKind.THEME_DAY, STUDY_THEMES[month - 1], date(year, month, 15), {}),
        ]
        if group is not None:
            plans.append(
                (
                    MeetingKind.GROUP_MEETING,
                    "党小组学习讨论",
                    first + timedelta(days=9),
                    {"party_group": group},
                )
            )
        if month % 3 == 1:
            plans.append(
                (
                    MeetingKind.BRANCH_ASSEMBLY,
                    STUDY_THEMES[month - 1],
                    first + timedelta(days=19),
                    {"topic_discussion": True},
                )
            )
            plans.append(
                (
                    MeetingKind.PARTY_LECTURE,
                    "专题党课：" + STUDY_THEMES[month - 1],
                    first + timedelta(days=24),
                    {"lecturer": lecturer},
                )
            )
        for kind, topic, day, extra in plans:
            start = _at(day, 9 if kind != MeetingKind.BRANCH_COMMITTEE else 15)
            meeting = _meeting(branch, kind, topic, start, **extra)
            made += 1
            if start + timedelta(hours=2) < timezone.now() - timedelta(days=3):
                _hold(meeting, rng)
                if kind in (MeetingKind.THEME_DAY, MeetingKind.BRANCH_ASSEMBLY):
                    link_meeting(items[month], meeting, acting_user=SYSTEM)
    # The coming weeks: tomorrow's committee meeting (its reminder goes out today) and the
    # remaining theme days of the year.
    _meeting(
        branch, MeetingKind.BRANCH_COMMITTEE, "研究年终组织生活会准备工作", _at(today + timedelta(days=1), 15)
    )
    # ... and one held last week whose record nobody has entered: the organizer's reminder.
    _meeting(branch, MeetingKind.BRANCH_COMMITTEE, "研究党员发展工作", _at(today - timedelta(days=5), 15))
    made += 2
    made += len(
        schedule_theme_days(
            branch, year, topic="主题党日", start=time(9), end=time(11), acting_user=SYSTEM, today=today
        )
    )
    return made


def create_demo_leaders(branch: Organization, today: date | None = None, seed: int = 2017) -> int:
    """Two members of the branch as leading cadres of the township committee above it: their
    plans and writings, the committee's central group study with the principal's special
    tutoring, and its democratic life meeting. Returns the number of leaders."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    township = Organization.objects.get_parent(branch)
    if township is None:
        return 0
    people = list(Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).order_by("id")[:2])
    posts = [("党委书记", True), ("党委副书记", False)]
    leaders = [
        appoint_leader(
            township, person, post, principal=principal, since=date(today.year - 2, 9, 1), acting_user=SYSTEM
        )
        for person, (post, principal) in zip(people, posts, strict=False)
    ]
    for leader in leaders:
        items = [
            {"month": m, "theme": STUDY_THEMES[m - 1], "readings": "《习近平谈治国理政》"}
            for m in (3, 6, 9, 12)
        ]
        set_plan(leader, today.year, items, acting_user=SYSTEM)
        submit_work(
            leader,
            {"kind": "study_note", "title": "学习党章心得体会", "body": "通过学习，进一步坚定了理想信念。"},
            acting_user=SYSTEM,
        )
    principal = leaders[0].member if leaders else None
    sessions = [date(today.year, m, 8) for m in (2, 5, 8, 11)]
    for number, day in enumerate(sessions, start=1):
        start = _at(day, 9)
        if start + timedelta(hours=2) >= timezone.now():
            continue
        data = {
            "kind": MeetingKind.CENTRAL_GROUP_STUDY,
            "topic": f"党委理论学习中心组第{number}次集体学习",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "topic_discussion": True,
            "lecturer": principal if number == 1 else None,
        }
        meeting = schedule_meeting(township, data, acting_user=SYSTEM)
        for leader in leaders:
            add_guest(meeting, acting_user=SYSTEM, member=leader.member)
        _hold(meeting, rng)
    return len(leaders)


def create_demo_dues(branch: Organization, today: date | None = None) -> int:
    """Dues profiles for the branch's members (mostly farmers at a fixed amount, some retired
    and salaried) and their payments this year, each month paid in that month — except a few
    members behind by 3 and 5 months, so the flags have something to show. Returns payments."""
    today = today or timezone.localdate()
    first_month = date(today.year, 1, 1)
    members = list(Member.objects.filter(organization=branch, status__in=DUES_STATUSES).order_by("id"))
    payments = 0
    for index, member in enumerate(members):
        start = max(first_month, month_start(member.join_date))
        if index % 7 == 3:
            set_profile(member, "retired", base=Decimal("3200.00"), effective_from=start, acting_user=SYSTEM)
        elif index % 7 == 5:
            set_profile(member, "salaried", base=Decimal("4500.00"), effective_from=start, acting_user=SYSTEM)
        else:
            fixed = Decimal("1.00") if index % 2 else Decimal("0.50")
            set_profile(member, "farmer", fixed_amount=fixed, effective_from=start, acting_user=SYSTEM)
        behind = 5 if index == 4 else 3 if index in (8, 15) else 0
        month = start
        last = add_months(month_start(today), -1 - behind)
        while month <= last:
            amount = sum((d.amount or Decimal(0) for d in member_dues(member, month, month)), Decimal(0))
            record_payment(
                member,
                period_from=month,
                period_to=month,
                amount=amount,
                receipt_no=f"{month:%Y%m}-{member.pk:06d}",
                paid_on=month + timedelta(days=9),
                acting_user=SYSTEM,
                today=month + timedelta(days=9),
            )
            payments += 1
            month = add_months(month, 1)
    # How the branch's members pay, for 我的党费 (no QR image: the demo has no collection account).
    organizer = members[1].name if len(members) > 1 else branch.name
    set_instructions(
        branch,
        {
            "cash": True,
            "cash_contact": f"组织委员{organizer}，每月主题党日现场收取",
            "notes": "外出务工的党员可请家人代交，或与组织委员约定时间。",
        },
        acting_user=SYSTEM,
    )
    return payments


def create_demo_home_items(branch: Organization, today: date | None = None) -> int:
    """What the personas' homes show on the first day: the township's point rules with the
    branch's points accrued and one claim awaiting approval; the yearly evaluation open in its
    season (November to May); a branch assembly in two days with its notice to the members.
    Returns the number of point entries accrued."""
    today = today or timezone.localdate()
    year = today.year
    township = Organization.objects.get_parent(branch)
    accrued = 0
    if township is not None:
        rules = [
            {
                "kind": "meeting_attendance",
                "name": "参加三会一课",
                "points": 2,
                "cap_points": 6,
                "cap_period": "quarter",
                "meeting_kinds": ["branch_assembly", "branch_committee", "group_meeting", "party_lecture"],
            },
            {"kind": "theme_day", "name": "参加主题党日", "points": 2},
            {
                "kind": "dues_on_time",
                "name": "按时交纳党费",
                "points": 1,
                "cap_points": 12,
                "cap_period": "year",
            },
            {"kind": "manual", "name": "志愿服务、好人好事", "points": 3},
        ]
        made = [create_rule(township, {**r, "year": year}, acting_user=SYSTEM) for r in rules]
        accrued = accrue(branch, year, acting_user=SYSTEM).created
        volunteer = (
            Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).order_by("id")[1:2].first()
        )
        if volunteer is not None:
            propose_entry(
                volunteer,
                made[-1],
                reason="参加村里防汛志愿服务",
                occurred_on=today - timedelta(days=3),
                acting_user=SYSTEM,
            )
    season = year if today.month >= 11 else year - 1 if today.month <= 5 else None
    if season is not None:
        campaign = create_campaign(
            branch,
            season,
            max(today - timedelta(days=7), date(season, 1, 1)),
            today + timedelta(days=21),
            acting_user=SYSTEM,
        )
        open_campaign(campaign, acting_user=SYSTEM)
    start = _at(today + timedelta(days=2), 9)
    meeting = _meeting(
        branch,
        MeetingKind.BRANCH_ASSEMBLY,
        "学习贯彻全会精神专题党员大会",
        start,
        place="村部二楼党员活动室",
        agenda="一、传达学习全会精神；二、讨论本支部贯彻落实措施；三、通报党费交纳情况",
    )
    users = [u for u in User.objects.filter(member__organization=branch, is_active=True)]
    notify(
        users,
        kind="meeting.notice",
        key=f"demo-notice:{meeting.pk}",
        title=f"会议通知：{meeting.topic}",
        body="请按时参加；不能参加的请在平台上请假。",
        url="/my/meetings/",
    )
    return accrued
