"""The demo county's campaigns and tasks sent down (point 18) over the year, so the campaign
pages, the sender's completion per township and branch, and the two rules of point 18 have
something to show.

The county committee sends, to every branch of the county:

| sent | what | state today |
|---|---|---|
| March | special campaign 农村陈规陋习整治, cases concluded by 30 November | closed |
| June | task: the half-year's work summary, due 10 July | closed |
| two weeks ago | special campaign 村霸、微腐败专项整治, until 31 December | running |
| a week ago | task: check of members' information, due in ten days | running |

Each branch answers by its profile in `life.py`: steady branches report on time and conclude
their cases, lagging ones late or returned once, weak ones leave some reports and cases open
(the rules' overdue rows). Reports and cases are written in bulk with the history a service
would leave; the rollups are then built as a launch builds them. The personas' branch takes its
part through the services: the running task still to fill in, one case concluded and one open.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dangjian.campaigns import rollups, services
from dangjian.campaigns.models import Assignment, AssignmentState, Campaign, Case, CaseState
from dangjian.campaigns.workflows import CAMPAIGN_FLOW
from dangjian.core.models import StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.organizations.models import Organization

from .helpers import Table

KINDS = ["branch", "joint_branch"]
# (reported on time, reported late, returned once) by profile; the rest never reported.
REPORTS = {"steady": (0.9, 0.08, 0.05), "lagging": (0.55, 0.25, 0.15), "weak": (0.3, 0.2, 0.1)}
# (cases per branch at most, share concluded)
CASES = {"steady": (2, 1.0), "lagging": (2, 0.8), "weak": (3, 0.5)}
SUBJECTS = (
    ("红白喜事大操大办", "村支两委上门劝导，修订村规民约", "已劝导简办，当事人签订承诺书"),
    ("高价彩礼", "党员干部带头，红白理事会介入", "彩礼降至规定标准以内"),
    ("封建迷信活动", "宣讲移风易俗政策，清理相关场所", "活动已停止，场所已清理"),
    ("聚众赌博", "联合派出所整治，开展警示教育", "已依法处理，建立巡查制度"),
    ("村民小组长优亲厚友", "镇纪委约谈，重新公示低保名单", "已纠正，责任人作出书面检查"),
)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class _Year:
    def __init__(
        self, county: Organization, profiles: dict[int, str], lively: Organization | None, seed: int
    ):
        self.county, self.profiles, self.lively = county, profiles, lively
        self.rng = random.Random(seed * 7919 + 18)
        self.today = timezone.localdate()
        self.steps: list[tuple[Any, int, str, str, str, datetime, str, str]] = []
        self.made = 0

    def send(
        self,
        kind: str,
        title: str,
        text: str,
        sent: date,
        deadline: date,
        ends_on: date,
        fields: list[dict[str, Any]],
    ) -> Campaign:
        """Drafted and launched through the services (nobody told: it is the past), then dated."""
        future = self.today + timedelta(days=30)
        data = {
            "kind": kind,
            "title": title,
            "instructions": text,
            "deadline": max(deadline, future),
            "ends_on": max(ends_on, future),
            "target_kinds": KINDS,
            "fields": fields,
        }
        campaign = services.create_campaign(self.county, data, acting_user=SYSTEM)
        campaign = services.launch(campaign, acting_user=SYSTEM, tell=False)
        Campaign.objects.filter(pk=campaign.pk).update(
            deadline=deadline, ends_on=ends_on, launched_at=_at(sent, 9), created_at=_at(sent, 8)
        )
        Assignment.objects.filter(campaign=campaign).update(deadline=deadline)
        campaign.refresh_from_db()
        return campaign

    def reports(self, campaign: Campaign, answers: dict[str, str], sent: date) -> None:
        """Each branch's report by its profile, written in bulk with its steps."""
        kind = ContentType.objects.get_for_model(Assignment).pk
        rows = list(Assignment.objects.filter(campaign=campaign).select_related("organization"))
        done = campaign.deadline < self.today
        for a in rows:
            profile = self.profiles.get(a.organization_id)
            if profile is None or (self.lively is not None and a.organization_id == self.lively.pk):
                continue
            on_time, late, returned = REPORTS[profile]
            roll = self.rng.random()
            if not done and roll >= on_time * 0.7:
                continue  # the running task: most still to report
            if roll >= on_time + late:
                continue  # never reported: the rule's overdue row once the deadline has passed
            day = campaign.deadline - timedelta(days=self.rng.randint(0, 6))
            if roll >= on_time:
                day = campaign.deadline + timedelta(days=self.rng.randint(1, 12))
            day = min(max(day, sent + timedelta(days=1)), self.today)
            path = a.organization.path
            a.answers = answers
            a.submitted_at = _at(day, 16)
            a.version = 1
            a.state = AssignmentState.SUBMITTED
            self.steps.append(
                (
                    kind,
                    a.pk,
                    "submit",
                    AssignmentState.PENDING,
                    AssignmentState.SUBMITTED,
                    a.submitted_at,
                    "",
                    path,
                )
            )
            if self.rng.random() < returned and day + timedelta(days=2) < self.today:
                back = _at(day + timedelta(days=1), 10)
                self.steps.append(
                    (
                        kind,
                        a.pk,
                        "return",
                        AssignmentState.SUBMITTED,
                        AssignmentState.RETURNED,
                        back,
                        "请补充具体数据",
                        path,
                    )
                )
                again = _at(day + timedelta(days=2), 15)
                self.steps.append(
                    (
                        kind,
                        a.pk,
                        "submit",
                        AssignmentState.RETURNED,
                        AssignmentState.SUBMITTED,
                        again,
                        "",
                        path,
                    )
                )
                a.submitted_at, a.version = again, 3
            if day + timedelta(days=3) < self.today:
                a.state = AssignmentState.ACCEPTED
                a.decided_at = _at(day + timedelta(days=3), 11)
                a.version += 1
                self.steps.append(
                    (
                        kind,
                        a.pk,
                        "accept",
                        AssignmentState.SUBMITTED,
                        AssignmentState.ACCEPTED,
                        a.decided_at,
                        "",
                        path,
                    )
                )
        Assignment.objects.bulk_update(
            rows, ["answers", "submitted_at", "decided_at", "state", "version"], batch_size=500
        )

    def cases(self, campaign: Campaign, sent: date) -> None:
        kind = ContentType.objects.get_for_model(Case).pk
        table = Table(Case)
        pending: list[tuple[int, str, datetime, datetime | None]] = []
        for a in Assignment.objects.filter(campaign=campaign).select_related("organization"):
            profile = self.profiles.get(a.organization_id)
            if profile is None or (self.lively is not None and a.organization_id == self.lively.pk):
                continue
            most, concluded = CASES[profile]
            for subject, measures, conclusion in self.rng.sample(SUBJECTS, self.rng.randint(0, most)):
                opened = sent + timedelta(days=self.rng.randint(3, 40))
                if opened >= self.today:
                    continue
                closed = opened + timedelta(days=self.rng.randint(10, 60))
                finished = self.rng.random() < concluded and closed < self.today
                at = _at(opened, 9)
                row = table.add(
                    assignment_id=a.pk,
                    subject=subject,
                    measures=measures,
                    state=CaseState.CONCLUDED if finished else CaseState.OPEN,
                    conclusion=conclusion if finished else "",
                    created_at=at,
                    updated_at=at,
                    concluded_at=_at(closed, 15) if finished else None,
                    review_note="",
                    version=1 if finished else 0,
                )
                pending.append((row, a.organization.path, at, _at(closed, 15) if finished else None))
        keys = table.write()
        for row, path, at, finished_at in pending:
            self.steps.append((kind, keys[row], "create", "", CaseState.OPEN, at, "", path))
            if finished_at is not None:
                self.steps.append(
                    (kind, keys[row], "conclude", CaseState.OPEN, CaseState.CONCLUDED, finished_at, "", path)
                )
        self.made += len(keys)

    def _stepper(self, kind: int, pk: int, path: str) -> Any:
        def step(move: str, source: str, target: str, at: datetime, note: str = "") -> None:
            self.steps.append((kind, pk, move, source, target, at, note, path))

        return step

    def history(self) -> None:
        table = Table(StateChange)
        for kind, pk, move, source, target, at, note, path in self.steps:
            table.add(
                content_type_id=kind,
                object_id=pk,
                move=move,
                source=source,
                target=target,
                at=at,
                actor_name="system",
                note=note,
                org_path=path,
            )
        table.write()


def create_county_campaigns(
    county: Organization, profiles: dict[int, str], *, lively: Organization | None = None, seed: int = 2017
) -> dict[str, int]:
    """The county's year of campaigns and tasks sent down (see the module's docstring)."""
    year = _Year(county, profiles, lively, seed)
    today = year.today
    # The year's past campaigns; early in a year, last year's (nothing of this year has ended).
    this = today.year if today >= date(today.year, 7, 25) else today.year - 1
    march, june = date(this, 3, 6), date(this, 6, 20)
    customs = year.send(
        "campaign",
        "农村陈规陋习整治",
        "各支部排查本村（社区）大操大办、高价彩礼、封建迷信等问题，逐件登记整治措施，11月30日前全部办结。",
        march,
        date(this, 3, 31),
        date(this, 11, 30),
        [{"label": "排查问题数", "type": "number", "required": True}],
    )
    summary = year.send(
        "task",
        "报送上半年党建工作总结",
        "请各支部总结上半年三会一课、主题党日、党员教育管理等工作，7月10日前报送。",
        june,
        date(this, 7, 10),
        date(this, 7, 10),
        [
            {"label": "召开支部党员大会次数", "type": "number", "required": True},
            {"label": "主要做法和成效", "type": "text", "required": True},
        ],
    )
    for campaign, answers, sent in (
        (customs, {"f1": "3"}, march),
        (summary, {"f1": "2", "f2": "按月开展主题党日，党员参与率95%以上"}, june),
    ):
        year.reports(campaign, answers, sent)
    year.cases(customs, march)
    running = year.send(
        "campaign",
        "村霸、微腐败专项整治",
        "各支部排查本村（社区）村霸和群众身边微腐败问题线索，逐件登记，年底前办结。",
        today - timedelta(days=14),
        today + timedelta(days=10),
        date(this, 12, 31) if today < date(this, 12, 21) else today + timedelta(days=30),
        [],
    )
    year.cases(running, today - timedelta(days=14))
    check = year.send(
        "task",
        "报送党员信息核查情况",
        "请各支部核对党员姓名、身份证号、联系方式和组织关系，10日内报送核查结果。",
        today - timedelta(days=7),
        today + timedelta(days=10),
        today + timedelta(days=10),
        [
            {"label": "核查党员人数", "type": "number", "required": True},
            {"label": "发现并更正的问题", "type": "text", "required": False},
        ],
    )
    year.reports(check, {"f1": "32", "f2": "更正联系电话3处"}, today - timedelta(days=7))
    year.history()
    for done in (customs, summary):
        CAMPAIGN_FLOW.take(done, "close", acting_user=SYSTEM, note="")
    if lively is not None:
        _lively(lively, running)
    for campaign in (customs, summary, running, check):
        rollups.rebuild(campaign)
    return {
        "campaigns": 4,
        "cases": year.made,
        "reports": Assignment.objects.filter(campaign__organization=county)
        .exclude(state=AssignmentState.PENDING)
        .count(),
    }


def _lively(branch: Organization, running: Campaign) -> None:
    """The personas' branch: one case of the running campaign concluded, one still open."""
    from dangjian.accounts.models import User

    secretary = User.objects.filter(username="secretary").first() or SYSTEM
    mine = Assignment.objects.filter(campaign=running, organization=branch).first()
    if mine is None:
        return
    done = services.add_case(
        mine,
        {"subject": "村民小组长优亲厚友", "measures": "镇纪委约谈，重新公示低保名单"},
        acting_user=secretary,
    )
    services.conclude_case(done, "已纠正，责任人作出书面检查", acting_user=secretary)
    services.add_case(
        mine, {"subject": "集体资产出租未公开", "measures": "核查合同，重新公开招租"}, acting_user=secretary
    )
