"""The demo county's problem lists of the year (points 19 and 13), so the rectification pages and
the three rules of point 19 have something to show.

Each branch follows its profile in `life.py` (the same draw, handed over by `create_county_life`);
the county's committees keep lists too. Seeded: the same seed gives the same lists.

| profile | keeps a list | entered | problems | of those due by today |
|---|---|---|---|---|
| steady | 97 % | March–June | 2–4 | 85 % accepted, the rest submitted |
| lagging | 80 % | May–August (a third after 30 June) | 1–3 | 50 % accepted, 20 % overdue |
| weak | 45 % | June–October | 1–3 | 20 % accepted, 60 % overdue |
| committee | 90 % | March–June | 2–4 | 80 % accepted |

Problems due later are open or being rectified; one in twenty is carried over to next year. Rows
are written in bulk with the history a service would leave (one "create" step each, and the
acceptance or carrying over where there was one), without an audit entry per row. The personas'
branch gets its list through the services, as its secretary would: three problems (one from the
year's organizational life meeting criticism) at different steps, and one of the `member`
persona's own from the democratic evaluation.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dangjian.core.models import StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.members.models import Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization
from dangjian.rectification import services
from dangjian.rectification.models import Problem, ProblemSource, ProblemState

from .helpers import Table
from .life import BRANCH_KINDS

# (keeps a list, first and last month entered, fewest and most problems, accepted, overdue)
PLANS: dict[str, tuple[float, int, int, int, int, float, float]] = {
    "steady": (0.97, 3, 6, 2, 4, 0.85, 0.0),
    "lagging": (0.8, 5, 8, 1, 3, 0.5, 0.2),
    "weak": (0.45, 6, 10, 1, 3, 0.2, 0.6),
    "committee": (0.9, 3, 6, 2, 4, 0.8, 0.05),
}
PROBLEMS = (
    (
        "三会一课记录不完整，个别会议无签到",
        "逐月补齐记录，建立会议签到和归档制度",
        "组织委员",
        ProblemSource.SELF_FOUND,
    ),
    (
        "党员学习流于形式，研讨发言准备不足",
        "每月确定学习专题，提前布置研讨提纲",
        "宣传委员",
        ProblemSource.LIFE_MEETING,
    ),
    ("流动党员联系不经常", "建立流动党员微信群，每季度联系一次", "支部书记", ProblemSource.SELF_FOUND),
    ("党费收缴不及时，个别党员连续欠交", "逐人谈话，按月收缴并公示", "组织委员", ProblemSource.INSPECTION),
    (
        "联系服务群众不够，为民办实事少",
        "开展党员设岗定责，每季度办一件实事",
        "支部书记",
        ProblemSource.LIFE_MEETING,
    ),
    (
        "发展党员程序不够规范，材料不齐",
        "对照发展党员工作细则逐项补齐材料",
        "组织委员",
        ProblemSource.INSPECTION,
    ),
    ("主题党日活动形式单一", "结合中心工作设计活动，邀请群众参与", "宣传委员", ProblemSource.SELF_FOUND),
    ("批评与自我批评辣味不足", "会前谈心谈话全覆盖，列出问题清单", "支部书记", ProblemSource.LIFE_MEETING),
    ("阵地建设不达标，制度未上墙", "完善党员活动室，更新制度牌", "支部书记", ProblemSource.FIVE_STANDARDS),
)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _day(rng: random.Random, year: int, first_month: int, last_month: int, today: date) -> date:
    month = rng.randint(first_month, last_month)
    day = date(year, month, rng.randint(1, 28))
    return min(day, today)


class _Lists:
    def __init__(self, today: date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed * 104729 + today.year)
        self.problems = Table(Problem)
        self.steps: list[tuple[int, str, str, str, datetime, str]] = []  # row, move, from, to, at, note

    def org(self, org_id: int, plan: tuple[float, int, int, int, int, float, float]) -> None:
        keeps, first, last, fewest, most, accepted, overdue = plan
        rng, today, year = self.rng, self.today, self.today.year
        if rng.random() >= keeps or date(year, first, 1) > today:
            return
        entered = _day(rng, year, first, last, today)
        for description, measure, owner, source in rng.sample(PROBLEMS, rng.randint(fewest, most)):
            deadline = entered + timedelta(days=rng.choice((60, 90, 120, 150)))
            created = _at(entered, 9)
            values: dict[str, Any] = {
                "organization_id": org_id,
                "year": year,
                "source": source,
                "description": description,
                "measure": measure,
                "owner": owner,
                "deadline": deadline,
                "created_at": created,
                "updated_at": created,
            }
            roll = rng.random()
            if rng.random() < 0.05:
                values |= {"state": ProblemState.CARRIED_OVER, "carry_reason": "涉及资金和场地，需跨年度完成"}
                move = (
                    "carry_over",
                    ProblemState.OPEN,
                    ProblemState.CARRIED_OVER,
                    "涉及资金和场地，需跨年度完成",
                )
            elif deadline <= today and roll < accepted:
                done = min(today, deadline - timedelta(days=rng.randint(0, 20)))
                values |= {
                    "state": ProblemState.ACCEPTED,
                    "submitted_at": _at(done, 15),
                    "decided_at": _at(min(today, done + timedelta(days=3)), 11),
                    "review_note": "整改到位，同意销号",
                    "version": 3,
                }
                move = ("accept", ProblemState.SUBMITTED, ProblemState.ACCEPTED, "整改到位，同意销号")
            elif deadline <= today and roll < accepted + overdue:
                values |= {
                    "state": ProblemState.IN_PROGRESS,
                    "started_at": _at(entered + timedelta(days=7)),
                    "version": 1,
                }
                move = None
            elif deadline <= today:
                values |= {"state": ProblemState.SUBMITTED, "submitted_at": _at(deadline, 16), "version": 2}
                move = None
            else:
                state = ProblemState.IN_PROGRESS if rng.random() < 0.7 else ProblemState.OPEN
                values |= {"state": state, "version": int(state == ProblemState.IN_PROGRESS)}
                move = None
            row = self.problems.add(**values)
            self.steps.append((row, "create", "", ProblemState.OPEN, created, ""))
            if move is not None:
                at = values.get("decided_at") or _at(min(today, deadline), 11)
                self.steps.append((row, move[0], move[1], move[2], at, move[3]))

    def write(self, paths: dict[int, str], org_of: list[int]) -> int:
        keys = self.problems.write()
        history = Table(StateChange)
        kind = ContentType.objects.get_for_model(Problem).pk
        for row, move, source, target, at, note in self.steps:
            history.add(
                content_type_id=kind,
                object_id=keys[row],
                move=move,
                source=source,
                target=target,
                at=at,
                actor_name="system",
                note=note,
                org_path=paths[org_of[row]],
            )
        history.write()
        return len(keys)


def create_county_problems(
    root: Organization,
    profiles: dict[int, str],
    *,
    lively: Organization | None = None,
    today: date | None = None,
    seed: int = 2017,
) -> int:
    """The year's problem lists of every branch (by its profile) and committee under `root`,
    except `lively`, which gets its own through the services. Returns how many problems."""
    today = today or timezone.localdate()
    lists = _Lists(today, seed)
    paths: dict[int, str] = {}
    org_of: list[int] = []
    for org_id, kind, path in (
        Organization.objects.filter(subtree_q(root.path)).order_by("path").values_list("id", "kind", "path")
    ):
        if lively is not None and org_id == lively.pk:
            continue
        if kind in COMMITTEE_KINDS:
            plan = PLANS["committee"]
        elif kind in BRANCH_KINDS and org_id in profiles:
            plan = PLANS[profiles[org_id]]
        else:
            continue
        paths[org_id] = path
        before = len(lists.problems.rows)
        lists.org(org_id, plan)
        org_of.extend([org_id] * (len(lists.problems.rows) - before))
    made = lists.write(paths, org_of)
    if lively is not None:
        made += _lively_list(lively, today)
    return made


def _lively_list(branch: Organization, today: date) -> int:
    """The personas' branch, through the services: its secretary's list and one problem of the
    `member` persona's own, at different steps."""
    from dangjian.accounts.models import User
    from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

    secretary = User.objects.filter(username="secretary").first() or SYSTEM
    year = today.year
    end = date(year, 12, 31)
    made = [
        services.create_problem(
            branch,
            {"description": d, "measure": m, "owner": o, "deadline": min(end, today + timedelta(days=days))},
            year=year,
            acting_user=secretary,
        )
        for d, m, o, days in (
            ("三会一课记录不完整，个别会议无签到", "逐月补齐记录，建立签到和归档制度", "组织委员", 20),
            ("流动党员联系不经常", "建立流动党员微信群，每季度联系一次", "支部书记", 45),
        )
    ]
    services.start_problem(made[0], acting_user=secretary)
    services.submit_problem(made[0], acting_user=secretary)
    services.start_problem(made[1], acting_user=secretary)
    life = Meeting.objects.filter(
        organization=branch, kind=MeetingKind.ORG_LIFE, status=MeetingStatus.CLOSED
    ).first()
    if life is not None:
        made += services.problems_from_meeting(
            life, "批评与自我批评辣味不足", owner="支部书记", deadline=end, acting_user=secretary
        )
    member = Member.objects.filter(account__username="member").first()
    if member is not None and member.organization_id == branch.pk:
        made.append(
            services.create_problem(
                branch,
                {
                    "description": "参加组织生活不够经常",
                    "measure": "按时参加支部活动，每月交一篇学习心得",
                    "owner": member.name,
                    "deadline": end,
                },
                year=year,
                member=member,
                source=ProblemSource.EVALUATION,
                acting_user=secretary,
            )
        )
    return len(made)
