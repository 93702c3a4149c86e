"""The demo county's member development (发展党员): in every branch, a pipeline at the stages a
branch really has — one or two applicants (most talked with within the month, now and then one
still waiting past it), one or two activists assessed every half year, and, in every other branch
with the two full members an introduction needs, one person further on: a development candidate, an
admission under way (some voted, awaiting the approval), or a probationary member admitted in
the past year, placed in a party group, sworn in and assessed. The personas' branch has one of
each.

Everything goes through the development services (and the orglife services for the assembly
that votes), as the branch and the township would record it, so the steps, their order, dates
and rules hold; the dates are in the past, in order. Deterministic: one random stream per branch
from the seed. Change events are muted while it runs: the work points are measured afterwards
for the whole county at once.
"""

from __future__ import annotations

import random
import time as time_
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core import events
from dangjian.core.dates import add_months
from dangjian.core.idnumber import generate_id_number
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.development.models import Applicant, Occupation
from dangjian.development.rules import VOTING_STATUSES
from dangjian.development.services import record_step, register_application
from dangjian.development.steps import candidate_from
from dangjian.members.models import Education, Member, MemberCategory
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting

from .life import BRANCH_KINDS

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "子涵",
    "欣怡",
    "梓轩",
    "浩然",
    "雨桐",
    "宇航",
    "思远",
    "佳怡",
    "俊杰",
    "晓东",
    "婷",
    "磊",
    "静",
    "鹏",
)
EDUCATION = (Education.BACHELOR, Education.ASSOCIATE, Education.SECONDARY, Education.POSTGRADUATE)
OCCUPATIONS = (Occupation.WORKER, Occupation.FARMER, Occupation.PROFESSIONAL, Occupation.STUDENT)
# The later stage of each branch's one person further on, in turn.
LATER = ("candidate", "admission", "admitted")


@dataclass
class Made:
    people: int = 0
    steps: int = 0
    seconds: float = 0.0
    stages: dict[str, int] = field(default_factory=dict)


@contextmanager
def _muted() -> Iterator[None]:
    """Change events are not sent meanwhile (each would queue a compliance refresh)."""
    saved = {topic: list(handlers) for topic, handlers in events._subscribers.items()}
    events._subscribers.clear()
    try:
        yield
    finally:
        events._subscribers.clear()
        events._subscribers.update(saved)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(15)))


class _Branch:
    """One branch's development, written through the services as SYSTEM."""

    def __init__(self, org: Organization, rng: random.Random, today: date, made: Made) -> None:
        self.org, self.rng, self.today, self.made = org, rng, today, made
        self.full = list(
            Member.objects.filter(
                organization=org, category=MemberCategory.FULL, status__in=VOTING_STATUSES
            ).order_by("id")[:40]
        )
        self.voters = Member.objects.filter(
            organization=org, category=MemberCategory.FULL, status__in=VOTING_STATUSES
        ).count()
        self.group = PartyGroup.objects.filter(organization=org).order_by("id").first()

    def day(self, after: date, low: int, high: int) -> date:
        """A day `low`–`high` days after `after`, never after today."""
        return min(self.today, after + timedelta(days=self.rng.randint(low, high)))

    def register(self, applied_on: date) -> Applicant:
        rng = self.rng
        gender = rng.choice(("male", "female"))
        birth = date(applied_on.year - rng.randint(19, 38), rng.randint(1, 12), rng.randint(1, 28))
        refused: ValidationError | None = None
        for _ in range(8):  # a drawn ID number may be one a member holds already
            data = {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "id_number": generate_id_number(rng, birth, gender, "431121"),
                "ethnicity": "汉族",
                "education": rng.choice(EDUCATION),
                "occupation": rng.choice(OCCUPATIONS),
                "phone": f"139{rng.randint(0, 99_999_999):08d}",
            }
            try:
                a = register_application(self.org, data, applied_on=applied_on, acting_user=SYSTEM)
            except ValidationError as exc:
                refused = exc
                continue
            self.made.people += 1
            self.made.steps += 1
            return a
        raise RuntimeError(f"no application registered: {refused}")

    def step(self, a: Applicant, number: int, on: date, **data: Any) -> date:
        a.refresh_from_db()
        record_step(a, number, {"on": on, **data}, acting_user=SYSTEM)
        self.made.steps += 1
        return on

    def applicant(self) -> None:
        applied = self.today - timedelta(days=self.rng.randint(3, 45))
        a = self.register(applied)
        waited = (self.today - applied).days
        # Most are talked with within the month; a few still wait, one now and then past it.
        if waited >= 7 and self.rng.random() < 0.85:
            actor = self.full[0].name if self.full else "支部书记"
            self.step(a, 2, self.day(applied, 3, min(27, waited)), actor=actor)
        self._count("applicant")

    def activist(self, applied: date, gap: tuple[int, int] = (20, 60)) -> tuple[Applicant, date]:
        """Steps 1–5 from `applied`: the talk 5–25 days later, the decision `gap` days after it."""
        a = self.register(applied)
        talk = self.step(a, 2, self.day(applied, 5, 25), actor=self.full[0].name)
        recommended = self.rng.choice(("members", "league"))
        activist_on = self.step(a, 3, self.day(talk, *gap), recommendation=recommended)
        filed = self.step(a, 4, self.day(activist_on, 3, 10))
        self.step(a, 5, self.day(filed, 2, 7), people=self.full[:2])
        return a, activist_on

    def assess(self, a: Applicant, activist_on: date, until: date) -> None:
        k = 1
        while (end := add_months(activist_on, 6 * k)) <= until:
            self.step(a, 6, end - timedelta(days=self.rng.randint(3, 20)), note="思想上进，表现良好。")
            k += 1

    def activists(self, n: int) -> None:
        for _ in range(n):
            a, activist_on = self.activist(self.today - timedelta(days=self.rng.randint(90, 330)))
            self.assess(a, activist_on, self.today)
            self._count("activist")

    def candidate(self, vote_before: date | None = None) -> tuple[Applicant, date]:
        """Steps 1–11: the decision 90–120 days before `vote_before` (or today), more than a
        year after becoming an activist; steps 8–14 take at most 60 days after it."""
        decided = (vote_before or self.today) - timedelta(days=self.rng.randint(90, 120))
        latest_activist = decided - timedelta(days=366 + self.rng.randint(5, 40))
        # Talk at most 25 days after the application, the decision at most 35 after the talk.
        a, real_activist = self.activist(latest_activist - timedelta(days=60), gap=(20, 35))
        decided = max(decided, candidate_from(real_activist))
        self.assess(a, real_activist, decided)
        on = self.step(a, 7, decided)
        on = self.step(a, 8, self.day(on, 2, 6))
        on = self.step(a, 9, self.day(on, 1, 4), people=self.full[:2])
        on = self.step(a, 10, self.day(on, 7, 15), conclusion="经政治审查，该同志政治立场坚定，审查合格。")
        self.step(a, 11, self.day(on, 3, 10), training_days=3, training_hours=24)
        return a, decided

    def admission(self, vote_on: date, *, vote: bool, approve: bool) -> Applicant:
        a, _decided = self.candidate(vote_on)
        a.refresh_from_db()
        on = max(s for s in a.records.values_list("on", flat=True))
        on = self.step(a, 12, self.day(on, 1, 3), conclusion="同意列为预备党员接收对象。")
        notice_from = on + timedelta(days=1)
        notice_until = notice_from + timedelta(days=8)
        on = self.step(
            a,
            13,
            notice_until + timedelta(days=2),
            notice_from=notice_from,
            notice_until=notice_until,
            conclusion="公示无异议，预审通过。",
        )
        on = self.step(a, 14, self.day(on, 1, 5), form_number=f"No.{self.org.pk:05d}{a.pk:04d}")
        if not vote:
            return a
        vote_on = max(vote_on, on + timedelta(days=3))
        meeting = self._assembly(vote_on)
        a.refresh_from_db()
        record_step(
            a,
            15,
            {
                "meeting": meeting,
                "should_attend": self.voters,
                "present": self.voters,
                "votes_for": self.voters,
            },
            acting_user=SYSTEM,
        )
        self.made.steps += 1
        on = self.step(a, 16, self.day(vote_on, 3, 10), actor="乡镇党委组织委员")
        if approve:
            on = self.step(a, 17, self.day(on, 5, 30))
        return a

    def admitted(self) -> None:
        """Voted 8–11 months ago, approved, filed, placed, sworn in, assessed: on probation."""
        vote_on = self.today - timedelta(days=self.rng.randint(240, 330))
        a = self.admission(vote_on, vote=True, approve=True)
        a.refresh_from_db()
        approved = max(a.records.values_list("on", flat=True))
        self.step(a, 18, self.day(approved, 5, 15))
        self.step(a, 19, self.day(approved, 1, 10), party_group=self.group)
        self.step(a, 20, self.day(approved, 10, 30), actor=self.full[0].name, place="党员活动室（面向党旗）")
        assert a.voted_on is not None
        k = 1
        while (end := add_months(a.voted_on, 6 * k)) <= self.today:
            self.step(a, 21, end - timedelta(days=self.rng.randint(3, 20)), note="预备期表现良好。")
            k += 1
        self._count("admitted")

    def _assembly(self, day: date) -> Any:
        start = _at(day)
        meeting = schedule_meeting(
            self.org,
            {
                "kind": "branch_assembly",
                "topic": "支部党员大会：讨论接收预备党员",
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
            },
            acting_user=SYSTEM,
        )
        present = meeting.attendances.values_list("member_id", flat=True)
        entries = [{"member": m, "status": "present"} for m in present]
        if entries:
            record_attendance(meeting, entries, acting_user=SYSTEM)
        return close_meeting(meeting, acting_user=SYSTEM)

    def later(self, kind: str) -> None:
        if kind == "candidate":
            self.candidate()
        elif kind == "admission":
            # Voted within the last two months (the approval not yet due), or not yet voted.
            voted = self.rng.random() < 0.6
            self.admission(self.today - timedelta(days=self.rng.randint(15, 60)), vote=voted, approve=False)
        else:
            self.admitted()
            return
        self._count(kind)

    def _count(self, stage: str) -> None:
        self.made.stages[stage] = self.made.stages.get(stage, 0) + 1


def create_county_development(
    county: Organization, *, lively: Organization | None = None, today: date | None = None, seed: int = 2017
) -> Made:
    """The development pipeline of every branch of `county` (see the module's docstring)."""
    today = today or timezone.localdate()
    made, started = Made(), time_.monotonic()
    branches = list(
        Organization.objects.filter(subtree_q(county.path), kind__in=BRANCH_KINDS).order_by("path")
    )
    with _muted():
        for i, org in enumerate(branches):
            rng = random.Random(seed * 7919 + org.pk)
            branch = _Branch(org, rng, today, made)
            for _ in range(1 + (rng.random() < 0.5)):
                branch.applicant()
            if not branch.full:
                continue  # no full member to be a contact: applicants only
            branch.activists(1 + (rng.random() < 0.3))
            if len(branch.full) < 2 or branch.voters < 2:
                continue  # an introduction needs two full members
            if lively is not None and org.pk == lively.pk:
                for kind in LATER:
                    branch.later(kind)
            elif i % 2 == 0:
                # Every other branch has someone further on (a county admits a few hundred a
                # year, not one per branch), in turn at each later stage.
                branch.later(LATER[i // 2 % len(LATER)])
    _plans(county, today, random.Random(seed))
    made.seconds = time_.monotonic() - started
    return made


def _plans(county: Organization, today: date, rng: random.Random) -> None:
    """The county's development plan of each grassroots committee for this year and the last
    (the years the demo's approvals fall in), set by the county as it would have been: a little
    above what each admitted, the structure targets about what came of it — and one committee's
    plan exactly reached, so its next approval waits for the plan to change."""
    from dangjian.development.plans import admitted_by, grassroots
    from dangjian.development.services import set_plans

    committees = list(grassroots(county).order_by("path"))
    for year in (today.year - 1, today.year):
        entries = []
        for i, committee in enumerate(committees):
            admitted = admitted_by(committee, year).count()
            if not admitted and year < today.year:
                continue
            admissions = admitted + (0 if i == 1 and year == today.year else rng.randint(1, 5))
            entries.append(
                (
                    committee,
                    {
                        "admissions": admissions,
                        "women": admissions * 4 // 10,
                        "under_35": admissions * 6 // 10,
                        "frontline": admissions * 4 // 10,
                        "college": admissions // 2,
                        "nonpublic": 0,
                        "note": "",
                    },
                    None,
                )
            )
        set_plans(year, entries, acting_user=SYSTEM)
