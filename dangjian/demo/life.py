"""A year of 三会一课 for every branch of the demo, so the supervision dashboard shows a spread.

The personas' branch gets its year through the services (`activity.py`); every other branch and
committee gets its meetings here in bulk — `bulk_create`, no audit entry per meeting, one summary
entry for the load — because a county has ~1,600 branches and the demo must stay quick to load.
Branches are drawn from three profiles, seeded, so the same seed gives the same county:

| profile | share | committee meeting (monthly) | each group's meeting (monthly) | quarterly | 组织生活会 |
|---|---|---|---|---|---|
| steady | ~62 % | always | 99.5 % | always | 97 % |
| lagging | ~26 % | 85 % | 85 % | 90 % | 80 % |
| weak | ~12 % | 35 % | 35 % | 50 % | 30 % |

Every party group of a branch holds its own monthly meeting, on a day of its own between the 2nd
and the 21st (so early in a month some have met and some not yet); a branch without party groups
holds it as one group.

A lagging branch sometimes leaves its latest meeting unrecorded (planned after its end), which is
what its secretary's home lists. Meetings are closed with minutes naming the numbers present;
per-person attendance is recorded only in the personas' branch (half a million attendance rows
would triple the load time and show nowhere on a dashboard).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.demo.helpers import insert_sql
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import Organization, OrgKind, PartyGroup
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)
COMMITTEE_KINDS = (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE)


@dataclass(frozen=True)
class Profile:
    name: str
    share: float  # cumulative upper bound of the draw
    monthly: float
    group: float  # each party group's monthly meeting held
    quarterly: float
    yearly: float
    unrecorded: float  # chance the latest meeting is left unrecorded


PROFILES = (
    Profile("steady", 0.62, 1.0, 0.995, 1.0, 0.97, 0.0),
    Profile("lagging", 0.88, 0.85, 0.85, 0.9, 0.8, 0.3),
    Profile("weak", 1.0, 0.35, 0.35, 0.5, 0.3, 0.6),
)
MINUTES = "<p>会议由支部书记主持，应到{expected}人，实到{present}人。</p><p>{topic}。</p>"
THEMES = (
    "学习党章党规",
    "学习贯彻党的二十大精神",
    "传承红色基因",
    "乡村振兴与基层治理",
    "发挥党员先锋模范作用",
    "作风建设与廉洁自律",
)


def profile_for(roll: float) -> Profile:
    return next(p for p in PROFILES if roll < p.share)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class _Maker:
    """Collects meeting rows and writes them with one prepared INSERT per batch (on SQLite,
    `bulk_create` spends most of its time compiling SQL for ~50 rows a statement)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        fields = [f for f in Meeting._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        stamp = connection.ops.adapt_datetimefield_value(now)
        self.fixed = {f.attname: f.get_default() for f in fields} | {"created_at": stamp, "updated_at": stamp}
        self.insert_sql = insert_sql(Meeting, fields)
        self.rows: list[list[Any]] = []
        self._cache: dict[tuple[date, int], tuple[object, object, object, bool] | None] = {}

    def add(
        self,
        org_id: int,
        kind: str,
        topic: str,
        day: date,
        hour: int,
        expected: int,
        rng: random.Random,
        *,
        group_id: int | None = None,
        unrecorded: bool = False,
    ) -> None:
        times = self._times(day, hour)
        if times is None:
            return  # only what has happened: the coming weeks are the personas' branch's
        start, end, closed_at, recorded = times
        present = max(0, expected - rng.choice((0, 0, 1, 1, 2, 3)))
        closed = not unrecorded and recorded
        values = {
            "organization_id": org_id,
            "party_group_id": group_id,
            "kind": kind,
            "topic": topic,
            "starts_at": start,
            "ends_at": end,
            "place": "党员活动室",
            "topic_discussion": kind == MeetingKind.BRANCH_ASSEMBLY and rng.random() < 0.3,
            "minutes": MINUTES.format(expected=expected, present=present, topic=topic) if closed else "",
            "status": MeetingStatus.CLOSED.value if closed else MeetingStatus.PLANNED.value,
            "closed_at": closed_at if closed else None,
            "version": 3 if closed else 1,
        }
        record = self.fixed | values
        self.rows.append([record[name] for name in self.attnames])

    def _times(self, day: date, hour: int) -> tuple[object, object, object, bool] | None:
        """Start, end and closing time as the database takes them, and whether the closing is
        past: a county's meetings fall on a few hundred distinct hours, so each is adapted once."""
        key = (day, hour)
        if key not in self._cache:
            start = _at(day, hour)
            end = start + timedelta(hours=2)
            closed_at = end + timedelta(days=1)
            adapt = connection.ops.adapt_datetimefield_value
            self._cache[key] = (
                None
                if end >= self.now
                else (adapt(start), adapt(end), adapt(closed_at), closed_at < self.now)
            )
        return self._cache[key]

    def write(self, batch_size: int = 5000) -> int:
        # In one transaction: on SQLite each statement outside one commits (and syncs) by itself.
        with transaction.atomic(), connection.cursor() as cursor:
            for first in range(0, len(self.rows), batch_size):
                cursor.executemany(self.insert_sql, self.rows[first : first + batch_size])
        return len(self.rows)


def create_county_life(
    root: Organization,
    *,
    skip: Organization | None = None,
    today: date | None = None,
    seed: int = 2017,
    profiles: dict[int, str] | None = None,
) -> dict[str, int]:
    """Meetings of the year so far for every branch and committee under `root` except `skip`.
    Returns how many branches fell in each profile, and the meetings made; `profiles`, when
    given, receives each branch's profile name by branch id (the online space follows it)."""
    today = today or timezone.localdate()
    rng = random.Random(seed * 7919 + today.year)
    year, now = today.year, timezone.now()
    subtree = Organization.objects.filter(subtree_q(root.path))
    if skip is not None:
        subtree = subtree.exclude(pk=skip.pk)
    groups: dict[int, list[int]] = {}
    for org_id, group_id in (
        PartyGroup.objects.filter(organization__in=subtree)
        .order_by("id")
        .values_list("organization_id", "id")
    ):
        groups.setdefault(org_id, []).append(group_id)
    sizes = dict(
        Member.objects.filter(organization__in=subtree, status=MemberStatus.ACTIVE)
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    maker = _Maker(now)
    counts = {p.name: 0 for p in PROFILES}
    months = range(1, today.month + 1)
    for org_id, kind in subtree.order_by("path").values_list("id", "kind"):
        size = sizes.get(org_id, 0)
        if kind in COMMITTEE_KINDS:
            if rng.random() < 0.85:
                day = date(year, rng.choice((1, 2)), rng.randint(10, 25))
                maker.add(org_id, MeetingKind.DEMOCRATIC_LIFE, f"{year - 1}年度民主生活会", day, 9, 0, rng)
            continue
        if kind not in BRANCH_KINDS:
            continue
        profile = profile_for(rng.random())
        counts[profile.name] += 1
        if profiles is not None:
            profiles[org_id] = profile.name
        committee = min(size, 5)
        for month in months:
            first = date(year, month, 1)
            theme = THEMES[month % len(THEMES)]
            last = month == today.month
            late = last and rng.random() < profile.unrecorded
            if rng.random() < profile.monthly:
                day = first + timedelta(days=rng.randint(2, 7))
                maker.add(
                    org_id,
                    MeetingKind.BRANCH_COMMITTEE,
                    "研究本月支部工作",
                    day,
                    15,
                    committee,
                    rng,
                    unrecorded=late,
                )
            # Each party group meets on its own: a branch meets the rule in a month when one of
            # them did (a branch without groups holds the meeting as one group).
            own: list[int | None] = list(groups.get(org_id, [])) or [None]
            for group in own:
                if rng.random() < profile.group:
                    day = first + timedelta(days=rng.randint(1, 20))
                    maker.add(
                        org_id,
                        MeetingKind.GROUP_MEETING,
                        f"党小组学习讨论：{theme}",
                        day,
                        19 if rng.random() < 0.3 else 9,
                        max(1, size // len(own)),
                        rng,
                        group_id=group,
                    )
            if month % 3 == 2:  # quarterly: the assembly and the lecture in the quarter's middle month
                if rng.random() < profile.quarterly:
                    day = first + timedelta(days=rng.randint(15, 20))
                    maker.add(
                        org_id, MeetingKind.BRANCH_ASSEMBLY, f"支部党员大会：{theme}", day, 9, size, rng
                    )
                if rng.random() < profile.quarterly:
                    day = first + timedelta(days=rng.randint(21, 26))
                    maker.add(org_id, MeetingKind.PARTY_LECTURE, f"专题党课：{theme}", day, 9, size, rng)
        if rng.random() < profile.yearly:
            day = date(year, 1, rng.randint(10, 28))
            maker.add(org_id, MeetingKind.ORG_LIFE, f"{year - 1}年度组织生活会", day, 9, size, rng)
    maker.write()
    audit.record(
        "demo.life",
        actor=SYSTEM,
        org_path=root.path,
        object_type="demo",
        object_repr="demo meetings",
        detail=f"year={year} meetings={len(maker.rows)} " + " ".join(f"{k}={v}" for k, v in counts.items()),
    )
    return counts | {"meetings": len(maker.rows)}


def measure_year(today: date | None = None) -> int:
    """The work points measured by the real engine as they stood at the end of each past month
    of the year, then today: each month-end run stores that month's snapshot, so the dashboard's
    trend line has the year's history (the same figures the nightly recompute would have left).
    Returns the results of today's run."""
    from dangjian.compliance import engine

    today = today or timezone.localdate()
    for month in range(1, today.month):
        engine.recompute(today.year, today=date(today.year, month + 1, 1) - timedelta(days=1))
    return engine.recompute(today.year, today=today).results
