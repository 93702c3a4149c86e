"""Every route × every persona: nothing outside a user's subtree is seen or changed.

The routes are read from the URL resolver, so a new page or endpoint is covered automatically;
one whose object type the matrix cannot tell fails until it is added to MODEL_BY_PREFIX.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from dangjian.accounts.models import AdminRequest, RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.campaigns.models import Assignment, Campaign, Case
from dangjian.campaigns.services import add_case, create_campaign, launch
from dangjian.community import services as community
from dangjian.community.models import Commitment, Pairing, Registration, ServiceTask
from dangjian.community.models import Post as CommunityPost
from dangjian.core.models import AuditEntry
from dangjian.development.models import Applicant, Objection, StepFile
from dangjian.development.paperwork import PAPERS
from dangjian.development.services import register_application
from dangjian.development.tests.helpers import person as development_person
from dangjian.discussion.models import Post, PostImage, Report, Thread
from dangjian.discussion.tests.helpers import discussion_in
from dangjian.dues.instructions import set_instructions
from dangjian.dues.models import DuesPayment, DuesProfile, DuesReduction
from dangjian.dues.services import propose_reduction, record_payment, set_profile
from dangjian.dues.tests.images import png as dues_png
from dangjian.elections.models import TermChange
from dangjian.elections.services import request_term_change
from dangjian.elections.village.models import Candidate as VillageCandidate
from dangjian.elections.village.models import VillageElection
from dangjian.evaluation.models import EvaluationCampaign, Handling, PeerRating
from dangjian.evaluation.tests.helpers import handled_campaign
from dangjian.feed.models import FeedItem, FeedPhoto
from dangjian.feed.services import add_photos
from dangjian.feed.tests.helpers import item_of
from dangjian.honours import services as honours
from dangjian.honours.models import Call, Evidence, Nomination
from dangjian.identity.models import MemberCard
from dangjian.leaders.models import LeaderWork, LeadingCadre
from dangjian.leaders.services import appoint_leader, submit_work
from dangjian.lectures.models import LectureDispatch, Lecturer
from dangjian.lectures.services import add_lecturer, dispatch_lecture
from dangjian.members.models import Member
from dangjian.notices.models import Notice, NoticeAttachment
from dangjian.notices.services import add_attachment as add_notice_attachment
from dangjian.notices.services import create_notice, send_notice
from dangjian.notifications.models import Notification
from dangjian.notifications.services import notify
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.orglife.checkin import current_code
from dangjian.orglife.models import Attendance, Meeting, MeetingAttachment
from dangjian.orglife.records import add_attachment
from dangjian.orglife.services import schedule_meeting
from dangjian.points.models import PointEntry, PointRule
from dangjian.points.tests.helpers import claim, rule
from dangjian.polls.models import Poll
from dangjian.polls.tests.helpers import open_poll_in
from dangjian.rectification.models import Problem
from dangjian.rectification.services import create_problem
from dangjian.roster.models import ImportJob
from dangjian.roster.services import upload_roster
from dangjian.study.models import StudyItem, StudyPlan
from dangjian.study.services import add_item, create_plan
from dangjian.testing.documents import readable_text
from dangjian.testing.world import World, make_member, make_org, make_user
from dangjian.transfers.models import FloatingRecord, LostContactCase, ProbationDecision, Transfer
from dangjian.transfers.tests.matrix import movement_records
from dangjian.villagework import services as villagework
from dangjian.villagework.models import Assessment as VillageAssessment
from dangjian.villagework.models import Assignment as VillageAssignment
from dangjian.villagework.models import LogPhoto, PovertyVillage, TrainingAttendance, TrainingSession
from dangjian.villagework.quarters import quarter_of
from dangjian.weakorgs.models import Evidence as WeakEvidence
from dangjian.weakorgs.models import Listing, Progress
from dangjian.weakorgs.services import add_by_hand, add_progress, save_plan

MODEL_BY_PREFIX: list[tuple[str, type[models.Model]]] = [
    ("orgs/", Organization),
    ("groups/", PartyGroup),
    ("members/", Member),
    ("users/", User),
    ("security/account/", User),
    ("api/v1/security/accounts/", User),
    # An account's own tokens: the personas hold none here, so any id is someone else's (a real
    # token of another account is tried in accounts/tests/test_tokens.py).
    ("account/tokens/", User),
    ("api/v1/account/tokens/", User),
    ("grants/", RoleGrant),
    ("admin-requests/", AdminRequest),
    ("meetings/", Meeting),
    ("meeting-attachments/", MeetingAttachment),
    ("api/v1/organizations/", Organization),
    ("api/v1/party-groups/", PartyGroup),
    ("api/v1/members/", Member),
    ("api/v1/users/", User),
    ("api/v1/grants/", RoleGrant),
    ("api/v1/meetings/", Meeting),
    ("api/v1/study-plans/", StudyPlan),
    ("api/v1/lecturers/", Lecturer),
    ("api/v1/dispatches/", LectureDispatch),
    ("checkin/", Meeting),
    ("my/meetings/", Meeting),
    ("study-items/", StudyItem),
    ("dispatches/", LectureDispatch),
    ("dues/payments/", DuesPayment),
    ("dues/reductions/", DuesReduction),
    ("api/v1/dues/profiles/", DuesProfile),
    ("api/v1/dues/payments/", DuesPayment),
    ("api/v1/dues/reductions/", DuesReduction),
    ("leaders/", LeadingCadre),
    ("leader-works/", LeaderWork),
    ("api/v1/leaders/", LeadingCadre),
    ("notifications/", Notification),
    ("imports/", ImportJob),
    ("api/v1/imports/", ImportJob),
    ("transfers/", Transfer),
    ("floating/", FloatingRecord),
    ("lost-contact/", LostContactCase),
    ("api/v1/transfers/", Transfer),
    ("api/v1/floating/", FloatingRecord),
    ("api/v1/lost-contact/", LostContactCase),
    ("api/v1/probation-decisions/", ProbationDecision),
    ("api/v1/cards/", MemberCard),
    ("api/v1/notifications/", Notification),
    ("evaluation/", EvaluationCampaign),
    ("evaluation-handlings/", Handling),
    ("api/v1/evaluation/campaigns/", EvaluationCampaign),
    ("api/v1/evaluation/handlings/", Handling),
    ("point-rules/", PointRule),
    ("point-entries/", PointEntry),
    ("api/v1/points/rules/", PointRule),
    ("api/v1/points/entries/", PointEntry),
    ("threads/", Thread),
    ("posts/", Post),
    ("post-images/", PostImage),
    ("post-reports/", Report),
    ("api/v1/threads/", Thread),
    ("api/v1/posts/", Post),
    ("api/v1/post-images/", PostImage),
    ("api/v1/post-reports/", Report),
    ("api/v1/discussion/", Organization),
    ("polls/", Poll),
    ("api/v1/polls/", Poll),
    ("notice-attachments/", NoticeAttachment),
    ("my/notices/", Notice),
    ("api/v1/notices/", Notice),
    ("feed/", FeedItem),
    ("feed-photos/", FeedPhoto),
    ("problems/", Problem),
    ("api/v1/problems/", Problem),
    ("campaigns/", Campaign),
    ("assignments/", Assignment),
    ("campaign-cases/", Case),
    ("api/v1/campaigns/", Campaign),
    ("api/v1/campaign-reports/", Assignment),
    ("honour-calls/", Call),
    ("nominations/", Nomination),
    ("api/v1/honour-calls/", Call),
    ("api/v1/nominations/", Nomination),  # and its evidence (`<eid>`: SECOND_PARAMETERS)
    ("weak/", Listing),
    ("api/v1/weak-listings/", Listing),
    ("term-changes/", TermChange),
    ("api/v1/term-changes/", TermChange),
    ("village-elections/", VillageElection),
    ("api/v1/village-elections/", VillageElection),
    ("development/", Applicant),
    ("api/v1/development/", Applicant),  # and its steps, documents and objections
    ("village-assignments/", VillageAssignment),
    ("village-training/", TrainingSession),
    ("api/v1/villagework/flags/", PovertyVillage),
    ("api/v1/villagework/assignments/", VillageAssignment),
    ("api/v1/villagework/trainings/", TrainingSession),
    ("community/posts/", CommunityPost),
    ("community/commitments/", Commitment),
    ("community/registrations/", Registration),
    ("community/tasks/", ServiceTask),
    ("community/pairings/", Pairing),
    ("api/v1/community/posts/", CommunityPost),
    ("api/v1/community/commitments/", Commitment),
    ("api/v1/community/registrations/", Registration),
    ("api/v1/community/tasks/", ServiceTask),
    ("api/v1/community/pairings/", Pairing),
]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
PERSONAS = [
    "province_staff",
    "county_staff",
    "secretary",
    "member_user",
    "outsider",
    "sysadmin",
    "auditor",
    "secadmin",
]
WRITE_METHODS = ["post", "put", "patch", "delete"]


def _product(values: list[list[object]]) -> list[tuple[object, ...]]:
    import itertools

    return list(itertools.product(*values))


def _one(queryset: Any) -> list[object]:
    pk = queryset.values_list("pk", flat=True).first()
    assert pk is not None, queryset.model.__name__
    return [pk]


# Values of a route's second parameter for a given object: the object's own, real ones.
SECOND_PARAMETERS: dict[str, Any] = {
    "field": lambda target: ["id_number", "phone"],
    "aid": lambda meeting: _one(MeetingAttachment.objects.filter(meeting=meeting)),
    "work_id": lambda leader: _one(LeaderWork.objects.filter(leader=leader)),
    "code": lambda meeting: [current_code(meeting.pk)],
    "eid": lambda nomination: _one(Evidence.objects.filter(nomination=nomination)),
    "progress_id": lambda listing: _one(Progress.objects.filter(listing=listing)),
    "evidence_id": lambda listing: _one(WeakEvidence.objects.filter(progress__listing=listing)),
    # A development's generated papers (notice, pre-review, filing forms) by their names.
    "paper": lambda applicant: list(PAPERS),
    "number": lambda applicant: [2],  # the step a person at step 1 takes next
    "fid": lambda applicant: _one(StepFile.objects.filter(step__applicant=applicant)),
    # The world's people are at step 1, before any public notice: no objection to answer yet (an
    # outsider answering a real one is tried in development/tests/test_api.py).
    "oid": lambda applicant: (
        list(Objection.objects.filter(applicant=applicant).values_list("pk", flat=True)) or [0]
    ),
}


@dataclass
class Route:
    template: str  # e.g. "members/<int:pk>/reveal/<str:field>/"
    name: str | None

    @property
    def needs_pk(self) -> bool:
        return "<int:pk>" in self.template

    def url(self, pk: int | None = None, **params: object) -> str:
        path = self.template.replace("<int:pk>", str(pk))
        for name, value in params.items():
            path = path.replace(f"<str:{name}>", str(value))
        # Another integer (the organization of /orgs/<org_pk>/notices/<pk>/) names nothing: 0.
        path = re.sub(r"<int:[^>]+>", "0", path)
        path = re.sub(r"<[^>]+>", "x", path)
        return "/" + path.lstrip("^").rstrip("$")

    def urls_for(self, target: models.Model) -> list[str]:
        """The route filled with `target` and, for a second parameter, a real object of the
        target's own (its attachment, its work, its current check-in code), never a dummy."""
        names = re.findall(r"<str:(\w+)>", self.template)
        if not names:
            return [self.url(target.pk)]
        values = [SECOND_PARAMETERS[name](target) for name in names]
        return [self.url(target.pk, **dict(zip(names, vs, strict=True))) for vs in _product(values)]

    def model(self) -> type[models.Model]:
        for prefix, model in MODEL_BY_PREFIX:
            if self.template.startswith(prefix):
                return model
        raise AssertionError(f"Route {self.template} has a pk but no model in MODEL_BY_PREFIX")


def _normalize(part: str) -> str:
    """DRF routers give regexes (`^members/(?P<pk>[^/.]+)/$`): turn them into path templates."""
    part = part.lstrip("^").rstrip("$").replace("/?", "/")
    part = re.sub(r"\(\?P<pk>[^)]*\)", "<int:pk>", part)
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", part)


def routes() -> Iterator[Route]:
    def walk(patterns: list, prefix: str) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + _normalize(str(p.pattern)))
            elif isinstance(p, URLPattern):
                template = prefix + _normalize(str(p.pattern))
                if "<str:format>" in template or template.startswith("i18n/"):
                    continue
                yield Route(template, p.name)

    yield from walk(get_resolver().url_patterns, "")


ROUTES = list(routes())


@pytest.fixture
def big_world(world: World, settings: Any, tmp_path: Path) -> World:
    """The test world plus a second province, outside every persona's reach."""
    settings.MEDIA_ROOT = tmp_path  # meeting attachments are stored files
    other = make_org(None, "江西省委", "360000", "committee")
    branch = make_org(other, "八一党支部", "360102001001", "branch", "community")
    member = make_member(branch, "刘洋")
    make_user("jx_staff", Role.COMMITTEE_STAFF, other, member=member)
    world.users["jx_staff"] = User.objects.get(username="jx_staff")
    # A notification is its user's own: another user's is out of every persona's reach.
    notify([world.users["jx_staff"]], kind="test", key="test:1", title="提醒", url="/")
    # A request between administrators about an account of the other province.
    AdminRequest.objects.create(
        kind="deactivate", target=world.users["jx_staff"], requested_by=world.users["jx_staff"]
    )
    from dangjian.core.scoping import SYSTEM
    from dangjian.organizations.services import create_party_group

    create_party_group(branch, "八一党小组", acting_user=SYSTEM)
    upload_roster(branch, SimpleUploadedFile("名册.csv", "姓名,公民身份号码\n".encode()), acting_user=SYSTEM)
    # A meeting in each province (with a photo), so every meeting route has an object outside
    # each persona.
    start = timezone.now() - timedelta(days=2)
    for org in (branch, world.branch, world.branch_b):
        meeting = schedule_meeting(
            org,
            {
                "kind": "branch_assembly",
                "topic": f"学习会{org.code}",  # its own words, for the matrix to look for
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
            },
            acting_user=SYSTEM,
        )
        add_attachment(meeting, SimpleUploadedFile("合影.png", dues_png()), acting_user=SYSTEM)
        plan = create_plan(org, start.year, "学习计划", acting_user=SYSTEM)
        add_item(plan, 3, "学习党章", acting_user=SYSTEM)
    # A lecture dispatch in each province (and in each county of the test province).
    for committee, target in (
        (other, branch),
        (world.county, world.branch),
        (world.county_b, world.branch_b),
    ):
        lecturer = add_lecturer(committee, "宣讲员", "expert", is_reporter=True, acting_user=SYSTEM)
        dispatch_lecture(lecturer, target, start.date(), "党性教育", acting_user=SYSTEM)
    # A dues profile, payment and reduction in each province (and in each county of this one).
    month = timezone.localdate().replace(day=1)
    for payer in (member, world.member, world.member_b):
        set_profile(payer, "student", effective_from=month, acting_user=SYSTEM)
        record_payment(
            payer,
            period_from=month,
            period_to=month,
            amount=Decimal("0.20"),
            receipt_no="1",
            acting_user=SYSTEM,
        )
        propose_reduction(
            payer, month_from=month, month_to=month, amount=Decimal(0), reason="困难", acting_user=SYSTEM
        )
    # A leading cadre with a work in each province (and in the outsider's county).
    for committee, person in ((other, member), (world.county_b, world.member_b)):
        leader = appoint_leader(committee, person, "书记", acting_user=SYSTEM)
        submit_work(leader, {"kind": "study_note", "title": "心得", "body": "学习心得"}, acting_user=SYSTEM)
    # A problem on the list of each province's branch (and of each county's of this one).
    for org in (branch, world.branch, world.branch_b):
        create_problem(
            org,
            {"description": "记录不规范", "owner": "书记", "deadline": month.replace(month=12, day=31)},
            year=month.year,
            acting_user=SYSTEM,
        )
    # A special campaign sent to the branches of each province (and of each county of this
    # one), with a case reported by the first.
    for sender in (other, world.county, world.county_b):
        sent = create_campaign(
            sender,
            {
                "kind": "campaign",
                "title": "专项整治",
                "instructions": "请报送",
                "deadline": month.replace(month=12, day=31),
                "target_kinds": ["branch"],
            },
            acting_user=SYSTEM,
        )
        launch(sent, acting_user=SYSTEM)
        first = Assignment.objects.filter(campaign=sent).first()
        assert first is not None
        add_case(first, {"subject": "大操大办"}, acting_user=SYSTEM)
    # A call for nominations of each province's committee (and of each county of this one), with
    # a nomination from a branch below it.
    for committee, person in (
        (other, member),
        (world.county, world.member),
        (world.county_b, world.member_b),
    ):
        call = honours.create_call(
            committee,
            {
                "title": f"两优一先{committee.code}",
                "criteria": "表现突出",
                "categories": ["member"],
                "nominations_due": month + timedelta(days=40),
                "publish_by": month + timedelta(days=80),
            },
            acting_user=SYSTEM,
        )
        honours.open_call(call, acting_user=SYSTEM)
        nomination = honours.create_nomination(
            call,
            person.organization,
            {"category": "member", "nominee_member": person, "story": "事迹"},
            acting_user=SYSTEM,
        )
        honours.add_evidence(nomination, [SimpleUploadedFile("证书.png", dues_png())], acting_user=SYSTEM)
    # A weak organization listed by the county (or province) above each province's branch.
    # Each with its plan and a progress entry with a file (the routes of an entry and a file).
    for county, org in ((other, branch), (world.county, world.branch), (world.county_b, world.branch_b)):
        weak = add_by_hand(county, org, month.year, "越界检查", acting_user=SYSTEM)
        weak = save_plan(weak, {"plan": "整顿", "leader": "王强", "contact": "李敏"}, acting_user=SYSTEM)
        photo = SimpleUploadedFile("佐证.png", dues_png())
        add_progress(weak, "召开支委会", month, [photo], acting_user=SYSTEM)
    # A term change requested by each province's branch (and by each county's of this one).
    for org in (branch, world.branch, world.branch_b):
        request_term_change(
            org, {"planned_on": month + timedelta(days=40), "seats": 3, "plan": "换届"}, acting_user=SYSTEM
        )
    # Last year's two-committee election of each province's branch (and each county's of this
    # one), with a candidate: this year's is left for the API's creation to plan.
    for org in (branch, world.branch, world.branch_b):
        village = VillageElection.objects.create(
            organization=org,
            township=Organization.objects.get_parent(org),
            year=month.year - 1,
            planned_on=month.replace(year=month.year - 1),
        )
        VillageCandidate.objects.create(
            election=village,
            name="越界候选人",
            id_number="430102197503020011",
            id_number_bidx="x",
            post="director",
        )
    # A person in development, with their written application, in each province's branch (and
    # in each county's of this one).
    for org in (branch, world.branch, world.branch_b):
        register_application(
            org,
            development_person(),
            applied_on=start.date(),
            files=[SimpleUploadedFile("申请书.png", dues_png())],
            acting_user=SYSTEM,
        )
    # Theme practice in each province's branch (and in each county's of this one): a post, a
    # commitment, a pairing, and a registration with a task (written directly: the matrix needs
    # the rows, not a workplace branch in every county).
    for org, person in ((branch, member), (world.branch, world.member), (world.branch_b, world.member_b)):
        community.create_post(org, {"name": f"岗位{org.code}", "duties": "政策宣传"}, acting_user=SYSTEM)
        community.make_commitment(person, month.year, f"承诺{org.code}", acting_user=SYSTEM)
        community.create_pairing(
            org,
            person,
            {
                "head_name": f"户主{org.code}",
                "address": "某街道",
                "phone": "13800000000",
                "difficulty": "因病",
            },
            acting_user=SYSTEM,
        )
        registration = Registration.objects.create(member=person, home=org, community=org, state="accepted")
        ServiceTask.objects.create(
            registration=registration, title=f"服务{org.code}", on=month, hours_expected=2
        )
    movement_records(world, branch)  # transfers, floating, lost contact, probation, cards
    # Every meeting route with an attachment id is filled with a real attachment of its meeting.
    for bare in Meeting.objects.filter(attachments__isnull=True):
        add_attachment(
            bare, SimpleUploadedFile("签到表.png", dues_png()), reason="补签到表", acting_user=SYSTEM
        )
    # An evaluation (approved, with a handling) and a point rule with an entry in each province.
    for committee, person in ((other, member), (world.county_b, world.member_b)):
        handled_campaign(person.organization)
        claim(person, rule(committee, "manual", "好人好事", 3, year=start.year), on=start.date())
    # An open poll in each province (and in each county of this one).
    for org in (branch, world.branch, world.branch_b):
        open_poll_in(org)
    # How to pay dues, with a QR image, in each province (and in each county of this one).
    for org in (branch, world.branch, world.branch_b):
        qr = SimpleUploadedFile("二维码.png", dues_png())
        set_instructions(org, {"cash": True, "cash_contact": "组织委员"}, qr=qr, acting_user=SYSTEM)
    # A discussion thread with a reply, an image and an open report in each province (and in
    # each county of this one).
    for org in (branch, world.branch, world.branch_b):
        discussion_in(org)
    # A sent notice with an attachment in each province (and in each county of this one).
    for org in (branch, world.branch, world.branch_b):
        notice = create_notice(org, {"title": f"通知{org.code}", "body": "请阅"}, acting_user=SYSTEM)
        send_notice(notice, acting_user=SYSTEM)
        add_notice_attachment(notice, SimpleUploadedFile("通知.png", PNG), acting_user=SYSTEM)
        # The notice's activity in the feed, with a photo in its album.
        add_photos(item_of(notice), [SimpleUploadedFile("合影.png", dues_png())], acting_user=SYSTEM)
    village_work(world, other)
    return world


def village_work(world: World, other: Organization) -> None:
    """A poverty-alleviation village of each province (and of each county of this one), with a
    first secretary, a work log with a photo, an assessment, and a training of its county."""
    from dangjian.core.scoping import SYSTEM

    today = timezone.localdate()
    year, quarter = quarter_of(today)
    for county, parent, code in (
        (other, other, "360100900001"),
        (world.county, world.township, "430102001900"),
        (world.county_b, world.county_b, "430103900001"),
    ):
        village = make_org(parent, f"扶贫村{code}", code, "branch", "rural")
        villagework.flag_village(county, village, today.replace(day=1), "贫困村", acting_user=SYSTEM)
        sent = villagework.assign(
            county,
            village,
            {
                "role": "first_secretary",
                "name": f"第一书记{code}",
                "sending_unit": "县直单位",
                "phone": "13812345678",
                "start": today.replace(day=1),
            },
            acting_user=SYSTEM,
        )
        photo = SimpleUploadedFile("走访.png", dues_png())
        villagework.add_log(
            sent, {"on": today.replace(day=1), "kind": "visit", "note": "走访"}, [photo], acting_user=SYSTEM
        )
        villagework.assess(sent, year, quarter, "competent", acting_user=SYSTEM)
        session = villagework.create_training(
            county, {"title": "村书记培训", "start": today, "end": today, "hours": 8}, acting_user=SYSTEM
        )
        villagework.record_attendance(session, village, "村书记", acting_user=SYSTEM)


def grant_paths(world: World, persona: str) -> list[str]:
    """The organization paths of the persona's grants, read from the grants themselves."""
    grants = RoleGrant.objects.filter(user=world.users[persona]).select_related("organization")
    return [g.organization.path for g in grants]


def outside_objects(
    world: World, persona: str, model: type[models.Model], *, above: bool = True
) -> list[models.Model]:
    """Objects of `model` outside the persona's reach, chosen without `restrict()` (which is what
    is under test): those whose organization path lies under none of the persona's grants, by
    string prefix in Python. Two of them: the nearest to a grant (the sibling county or branch,
    where a subtree range one step too wide leaks first) and the farthest (the other province).
    A notification has no path: it is its user's own, so another user's is outside. With
    `above=False`, objects of the organizations above a grant are left out too (a committee's rule
    may rightly be named by a branch below it)."""
    user = world.users[persona]
    manager = model._default_manager
    if model is Notification:
        return [manager.exclude(user=user).order_by("-pk")[0]]
    fields = getattr(model, "scope_path_fields", None) or (model.scope_path_field,)  # type: ignore[attr-defined]
    grants = grant_paths(world, persona)

    def shared(a: str, b: str) -> int:
        # Tree paths share steps character by character: the common prefix is what is meant.
        return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))

    def nearness(paths: tuple[str | None, ...]) -> int:
        return max(shared(p, g) for p in paths if p for g in grants)

    outside = [
        (nearness(paths), pk)
        for pk, *paths in manager.values_list("pk", *fields).order_by("-pk")
        if not any(p and p.startswith(g) for p in paths for g in grants)
        and (above or not any(p and g.startswith(p) for p in paths for g in grants))
    ]
    assert outside, f"no {model.__name__} outside {persona}'s grants"
    nearest, farthest = max(outside)[1], min(outside)[1]
    return [manager.get(pk=pk) for pk in dict.fromkeys([nearest, farthest])]


def table_state() -> list:
    return [
        list(Organization.objects.values_list("pk", "path", "name", "version")),
        list(Member.objects.values_list("pk", "organization_id", "name", "version", "status")),
        list(PartyGroup.objects.values_list("pk", "name")),
        list(User.objects.values_list("pk", "is_active", "locked_until", "totp_confirmed")),
        list(RoleGrant.objects.values_list("pk", "user_id", "organization_id", "role")),
        list(AdminRequest.objects.values_list("pk", "state")),
        list(Meeting.objects.values_list("pk", "status", "version", "topic")),
        list(Attendance.objects.values_list("pk", "status", "reason", "guest_name")),
        list(DuesPayment.objects.values_list("pk", "voided_at")),
        list(DuesReduction.objects.values_list("pk", "state")),
        list(LeadingCadre.objects.values_list("pk", "post", "principal", "active")),
        list(LeaderWork.objects.values_list("pk", "title")),
        list(MeetingAttachment.objects.values_list("pk", "file")),
        list(Notification.objects.values_list("pk", "read_at")),
        list(Transfer.objects.values_list("pk", "state")),
        list(EvaluationCampaign.objects.values_list("pk", "state", "opens_on", "closes_on")),
        [*Handling.objects.values_list("pk", "state"), PeerRating.objects.count()],
        list(PointRule.objects.values_list("pk", "points", "active")),
        list(PointEntry.objects.values_list("pk", "state", "points")),
        list(Thread.objects.values_list("pk", "state", "pinned", "hidden", "reply_count")),
        list(Post.objects.values_list("pk", "state", "hidden")),
        list(Report.objects.values_list("pk", "state")),
        list(FeedPhoto.objects.values_list("pk", "file")),
        list(Listing.objects.values_list("pk", "state", "version", "lookback_note")),
        list(Progress.objects.values_list("pk", "on", "note", "version")),
        list(WeakEvidence.objects.values_list("pk", "file")),
        list(Applicant.objects.values_list("pk", "stage", "version", "last_step")),
        list(PovertyVillage.objects.values_list("pk", "start", "end")),
        list(VillageAssignment.objects.values_list("pk", "state", "end", "version")),
        [*LogPhoto.objects.values_list("pk", "file"), VillageAssessment.objects.count()],
        [*TrainingSession.objects.values_list("pk", "title"), TrainingAttendance.objects.count()],
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_objects_outside_the_subtree_are_404_for_every_method(big_world: World, persona: str) -> None:
    client = Client()
    client.force_login(big_world.users[persona])
    before = table_state()
    successes = AuditEntry.objects.filter(success=True).count()
    checked = 0
    for route in ROUTES:
        if not route.needs_pk:
            continue
        for target in outside_objects(big_world, persona, route.model()):
            for url in route.urls_for(target):
                for method in ["get", *WRITE_METHODS]:
                    response = (
                        getattr(client, method)(url, content_type="application/json")
                        if method != "get"
                        else client.get(url)
                    )
                    assert response.status_code in (404, 405), (persona, method, url, response.status_code)
                    checked += 1
    assert checked > 50
    assert table_state() == before
    assert AuditEntry.objects.filter(success=True).count() == successes


def _names_outside(world: World, persona: str) -> list[str]:
    """Names of what lies outside every grant of the persona, whatever the role (an auditor reads
    the log of its subtree, which names members there): members, the topics of meetings, and the
    organizations neither below nor above a grant (those above appear in breadcrumbs) and not the
    other end of a transfer or floating record within reach (a letter names where it goes)."""
    paths = grant_paths(world, persona)

    def outside(path: str) -> bool:
        return not any(path.startswith(p) or p.startswith(path) for p in paths)

    members = [m.name for m in Member.objects.select_related("organization") if outside(m.organization.path)]
    meetings = [
        m.topic for m in Meeting.objects.select_related("organization") if outside(m.organization.path)
    ]
    ends = {
        pk
        for model, ends in (
            (Transfer, ("from_org", "to_org")),
            (FloatingRecord, ("home_org", "managing_org")),
        )
        for row in model.objects.values(*(f"{e}__path" for e in ends), *(f"{e}_id" for e in ends))
        if not all(outside(row[f"{e}__path"] or "") for e in ends)
        for pk in (row[f"{e}_id"] for e in ends)
    }
    orgs = [o.name for o in Organization.objects.all() if outside(o.path) and o.pk not in ends]
    return members + meetings + orgs


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_show_nothing_from_outside(big_world: World, persona: str) -> None:
    client = Client()
    client.force_login(big_world.users[persona])
    hidden = _names_outside(big_world, persona)
    assert hidden
    for route in ROUTES:
        if (
            route.needs_pk
            or "<" in route.template
            or route.template.startswith(("logout", "api/docs", "api/v1/schema"))
        ):
            continue
        url = route.url()
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 404, 405), (url, response.status_code)
        body = readable_text(response)  # the cells of a workbook, the text of a PDF
        for name in hidden:
            assert name not in body, (persona, url, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_full_id_numbers_and_phones_never_reach_the_page(big_world: World, persona: str) -> None:
    client = Client()
    client.force_login(big_world.users[persona])
    secrets = [v for m in Member.objects.all() for v in (m.id_number, m.phone) if v]
    for route in ROUTES:
        if "reveal" in route.template or route.template.startswith(("logout", "api/docs", "api/v1/schema")):
            continue
        if route.needs_pk:
            model = route.model()
            objs = model._default_manager.restrict(big_world.users[persona], "view")[:3]  # type: ignore[attr-defined]
            urls = [route.url(o.pk) for o in objs]
        elif "<" in route.template:
            continue
        else:
            urls = [route.url()]
        for url in urls:
            response = client.get(url)
            # A workbook is a zip and a PDF compresses its text: read them as a person would.
            body = readable_text(response)
            for secret in secrets:
                assert secret not in body, (persona, url)


def test_anonymous_is_sent_to_login_or_refused() -> None:
    client = Client()
    for route in ROUTES:
        if (
            route.template.startswith(("login", "api/docs", "api/v1/schema", "api/v1/auth"))
            # The calendar feed authenticates by its secret URL, not a session (tested in orglife).
            or route.template.startswith("calendar/")
            # A member card's verification is public by design (tested in identity).
            or route.template.startswith(("verify/", "api/v1/verify/"))
            # The published honours are a public notice by design (tested in honours).
            or route.template.startswith("public/")
            # The installable app's manifest, worker and offline page carry nothing of anyone
            # (tested in web/tests/test_pwa.py).
            or route.template in ("manifest.webmanifest", "sw.js", "offline/")
            or route.template == ""
        ):
            continue
        response = client.get(route.url(1))
        if route.template.startswith("api/"):
            assert response.status_code in (401, 403), route.template
        else:
            assert response.status_code in (302, 405), route.template
            if response.status_code == 302:
                assert response["Location"].startswith("/login/"), route.template


# --- references to outside objects in query strings and bodies ---------------------------------

REFERENCE_NAMES = ("org", "organization", "meeting", "member", "branch", "committee", "leader", "plan")


def outside_references(world: World, persona: str, as_codes: bool) -> dict[str, str | int]:
    """Query or body values naming the nearest outside organization, meeting and member."""
    meeting = outside_objects(world, persona, Meeting)[0]
    org = Meeting.objects.get(pk=meeting.pk).organization
    member = outside_objects(world, persona, Member)[0]
    org_ref = org.code if as_codes else org.pk
    refs: dict[str, str | int] = dict.fromkeys(REFERENCE_NAMES, org_ref)
    refs.update(org=org.code, meeting=meeting.pk, member=member.pk)
    refs["plan"] = outside_objects(world, persona, StudyPlan)[0].pk
    refs["leader"] = outside_objects(world, persona, LeadingCadre)[0].pk
    return refs


def outside_state(world: World, persona: str) -> dict[str, list]:
    """Every row outside the persona's grants (chosen by path, as above), field by field."""
    grants = grant_paths(world, persona)
    state = {}
    for model in {m for _prefix, m in MODEL_BY_PREFIX} | {StudyPlan, Attendance, DuesProfile}:
        if model is Notification:
            continue
        fields = getattr(model, "scope_path_fields", None) or (model.scope_path_field,)  # type: ignore[attr-defined]
        pks = [
            pk
            for pk, *paths in model._default_manager.values_list("pk", *fields)
            if not any(p and p.startswith(g) for p in paths for g in grants)
        ]
        state[model.__name__] = list(model._default_manager.filter(pk__in=pks).order_by("pk").values())
    return state


def list_routes() -> list[Route]:
    return [
        r
        for r in ROUTES
        if "<" not in r.template and not r.template.startswith(("logout", "api/docs", "api/v1/schema"))
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_query_strings_naming_outside_objects_show_nothing_of_them(big_world: World, persona: str) -> None:
    client = Client()
    client.force_login(big_world.users[persona])
    hidden = _names_outside(big_world, persona)
    for as_codes in (True, False):
        refs = outside_references(big_world, persona, as_codes)
        for route in list_routes():
            url = route.url()
            response = client.get(url, refs)
            assert response.status_code in (200, 302, 400, 404, 405), (url, refs, response.status_code)
            body = readable_text(response)
            for name in hidden:
                assert name not in body, (persona, url, refs, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_bodies_naming_outside_objects_are_refused_and_change_nothing(big_world: World, persona: str) -> None:
    client = Client()
    client.force_login(big_world.users[persona])
    before = outside_state(big_world, persona)
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    for as_codes in (True, False):
        refs = outside_references(big_world, persona, as_codes)
        for route in list_routes():
            url = route.url()
            # A POST to a logout route ends the session the next POST needs: sign in again.
            client.force_login(big_world.users[persona])
            json_post = client.post(url, refs, content_type="application/json")
            form_post = client.post(url, refs)
            for response in (json_post, form_post):
                assert response.status_code < 500, (persona, url, response.status_code)
    # Creations that are valid in every other respect: only the outside reference is wrong.
    client.force_login(big_world.users[persona])
    code = outside_references(big_world, persona, as_codes=True)["org"]
    times = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    meeting = {"organization": code, "kind": "branch_assembly", "topic": "越界", **times}
    for url, body in (
        ("/api/v1/meetings/", meeting),
        ("/api/v1/study-plans/", {"organization": code, "year": 2030, "title": "越界"}),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code in (400, 403, 404), (persona, url, response.status_code)
    assert outside_state(big_world, persona) == before
    grants = grant_paths(big_world, persona)
    done_outside = [
        (e.action, e.org_path, e.object_repr)
        for e in AuditEntry.objects.filter(pk__gt=last_entry, success=True)
        if e.org_path and not any(e.org_path.startswith(g) for g in grants)
    ]
    assert done_outside == [], persona


def test_the_same_bodies_inside_the_reach_succeed(big_world: World) -> None:
    """The refusals above are for the outside reference, not for a malformed body."""
    client = Client()
    client.force_login(big_world.users["secretary"])
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    code = big_world.branch.code
    times = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    meeting = {"organization": code, "kind": "branch_assembly", "topic": "本支部", **times}
    for url, body in (
        ("/api/v1/meetings/", meeting),
        ("/api/v1/study-plans/", {"organization": code, "year": 2030, "title": "本支部"}),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 201, (url, response.content)
