"""The demo county's theme practice (point 20), so the pages, the member's page and the rule of
point 20 have something to show.

The personas' branch sets two posts with members on them, records this year's commitments of
its first members (some assessed), publishes them on its feed and pairs two members with
households in difficulty, with visits. In-service members of the county's workplace branches
register with community branches of the county; the community branches accept them and give
them tasks; most tasks are reported done and confirmed (their hours earn points where a rule
says so), one waits for confirmation. Everything goes through the services, as the branches
would; the member's report of a task is written directly, as demo members have no accounts.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from dangjian.community import services
from dangjian.community.models import ServiceTask, TaskState
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import Organization, Sector

from .life import BRANCH_KINDS

POSTS = (
    ("政策宣传岗", "宣传党的路线方针政策，收集群众意见"),
    ("环境卫生岗", "组织楼栋环境整治，带头垃圾分类"),
)
COMMITMENTS = ("每月参加一次社区志愿服务", "带头做好垃圾分类", "帮扶一户困难群众", "每季度讲一次微党课")
HOUSEHOLDS = (
    ("陈德明", "城关镇解放路12号", "13807460012", "独居老人，行动不便"),
    ("刘桂英", "城关镇新华街3号", "13907461234", "因病致贫"),
)
WORKPLACE_SECTORS = (Sector.GOVERNMENT, Sector.PUBLIC_INSTITUTION, Sector.STATE_ENTERPRISE)
TASKS = (("社区环境整治", 3), ("文明劝导", 2))


def _members(org: Organization, n: int) -> list[Member]:
    return list(Member.objects.filter(organization=org, status__in=ON_ROLL_STATUSES).order_by("pk")[:n])


def _branch_work(branch: Organization, today: date) -> int:
    people = _members(branch, 6)
    if len(people) < 2:
        return 0
    for i, (name, duties) in enumerate(POSTS):
        post = services.create_post(branch, {"name": name, "duties": duties}, acting_user=SYSTEM)
        for person in people[i::2][:2]:
            services.assign(post, person, acting_user=SYSTEM)
    made = [
        services.make_commitment(person, today.year, COMMITMENTS[i % len(COMMITMENTS)], acting_user=SYSTEM)
        for i, person in enumerate(people)
    ]
    services.assess(made[0], "done", "全年参加志愿服务12次", acting_user=SYSTEM)
    if len(made) > 2:
        services.assess(made[1], "partly", "下半年出差较多，参加较少", acting_user=SYSTEM)
    services.publish(branch, today.year, acting_user=SYSTEM)
    start = date(today.year, 1, 15)
    for person, (head, address, phone, difficulty) in zip(people, HOUSEHOLDS, strict=False):
        pairing = services.create_pairing(
            branch,
            person,
            {
                "head_name": head,
                "address": address,
                "phone": phone,
                "difficulty": difficulty,
                "started_on": start,
            },
            acting_user=SYSTEM,
        )
        for days, note in ((30, "上门走访，送去米油"), (90, "帮助申请临时救助")):
            on = start + timedelta(days=days)
            if on <= today:
                services.log_visit(pairing, on, note, acting_user=SYSTEM)
    return len(made)


def _registrations(county: Organization, today: date) -> dict[str, int]:
    in_county = Organization.objects.filter(subtree_q(county.path), kind__in=BRANCH_KINDS)
    communities = list(in_county.filter(sector=Sector.COMMUNITY).order_by("path")[:3])
    workplaces = list(in_county.filter(sector__in=WORKPLACE_SECTORS).order_by("path")[:3])
    if not communities or not workplaces:
        return {}
    counts = {"registrations": 0, "confirmed": 0}
    day = max(date(today.year, 1, 10), today - timedelta(days=60))
    n = 0
    for workplace in workplaces:
        for person in _members(workplace, 2):
            community = communities[n % len(communities)]
            n += 1
            row = services.register(person, community, "本社区居民", acting_user=SYSTEM)
            row = services.REGISTRATION_MOVES["accept"](row, acting_user=SYSTEM)
            counts["registrations"] += 1
            for i, (title, hours) in enumerate(TASKS):
                task = services.assign_task(
                    row,
                    {"title": title, "on": day + timedelta(days=7 * i), "hours_expected": hours},
                    acting_user=SYSTEM,
                )
                ServiceTask.objects.filter(pk=task.pk).update(
                    state=TaskState.REPORTED, hours=hours, report="已按要求完成", version=1
                )
                if n == 1 and i == 1:
                    continue  # one report waits for the community branch
                services.confirm_task(task, note="服务认真，群众满意", acting_user=SYSTEM)
                counts["confirmed"] += 1
    return counts


def create_county_community(
    county: Organization, *, lively: Organization | None = None, today: date | None = None
) -> dict[str, int]:
    """The personas' branch's posts, commitments and pairings, and the county's registrations."""
    today = today or timezone.localdate()
    counts = _registrations(county, today)
    if lively is not None and lively.holds_members:
        counts["commitments"] = _branch_work(lively, today)
    return counts
