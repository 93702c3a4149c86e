"""Creations that name other objects in their body: valid in every respect but one outside reference.

The scope matrix (test_scope_matrix.py) sends generic bodies; a refusal there may come from a
malformed body before the reference is ever looked at. Here each API creation gets a body that
succeeds for a persona inside its reach, and then the same body with one reference at a time
swapped for the nearest object outside the reach (the sibling county's), which must be refused
with nothing written and nothing audited as done outside. A new creation endpoint with a
reference in its body fails `test_every_creation_with_a_reference_is_covered` until it is added.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from rest_framework import serializers

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.development.tests.helpers import person as development_person
from dangjian.dues.services import set_profile
from dangjian.honours.models import Call
from dangjian.lectures.models import Lecturer
from dangjian.lectures.services import add_lecturer
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.orglife.models import Meeting
from dangjian.points.models import PointRule
from dangjian.points.tests.helpers import rule
from dangjian.testing.world import World, make_member, make_org

from .test_scope_matrix import ROUTES, grant_paths, outside_objects, outside_state
from .test_scope_matrix import big_world as big_world  # the fixture, shared

# What a reference names: the model, and for organizations the kind the endpoint expects.
KINDS: dict[str, tuple[type[models.Model], dict[str, Any]]] = {
    "org": (Organization, {}),
    "branch": (Organization, {"kind": "branch"}),
    "committee": (Organization, {"kind": "committee"}),
    "member": (Member, {}),
    "meeting": (Meeting, {}),
    "lecturer": (Lecturer, {}),
    "user": (User, {}),
    "party_group": (PartyGroup, {}),
    "rule": (PointRule, {}),
    "call": (Call, {}),
    "village": (Organization, {"kind": "branch", "sector": "rural"}),
    "flagged_village": (Organization, {"kind": "branch", "sector": "rural"}),
}


@dataclass
class Refs:
    """The objects a body names: inside the actor's reach, or the nearest outside it."""

    world: World
    actor: str

    def inside(self, kind: str) -> Any:
        w = self.world
        return {
            "org": w.branch.code,
            "branch": w.branch.code,
            "committee": w.county.code,
            "committee_pk": w.county.pk,
            "member": Member.objects.get(name="引用检查").pk,
            "meeting": Meeting.objects.filter(organization=w.branch).order_by("pk")[0].pk,
            "lecturer": Lecturer.objects.filter(organization=w.county).order_by("pk")[0].pk,
            "user": User.objects.get(username="county_staff").pk,
            "party_group": w.group.pk,
            "rule": PointRule.objects.filter(committee=w.county).order_by("pk")[0].pk,
            "call": Call.objects.filter(organization=w.county, state="open").order_by("pk")[0].pk,
            "village": "430102001901",  # not flagged yet (referenced_world)
            "flagged_village": "430102001900",  # flagged by the scope matrix's world
        }[kind]

    def nearest_outside(self, kind: str) -> Any:
        model, filters = KINDS[kind.removesuffix("_pk")]
        # Not above a grant either: a rule or lecturer of the committee above may rightly be named.
        candidates = [
            o
            for o in outside_objects(self.world, self.actor, model, above=False)
            if all(getattr(o, k) == v for k, v in filters.items())
        ]
        obj = candidates[0]
        return obj.code if model is Organization and not kind.endswith("_pk") else obj.pk  # type: ignore[attr-defined]


@dataclass
class Creation:
    url: str
    actor: str
    body: Callable[[Refs], dict[str, Any]]
    refs: dict[str, str]  # body key -> kind of what it names
    ok: tuple[int, ...] = (201,)


def _start() -> str:
    return (timezone.now() + timedelta(days=3)).replace(microsecond=0).isoformat()


def _end() -> str:
    return (timezone.now() + timedelta(days=3, hours=1)).replace(microsecond=0).isoformat()


MONTH = timezone.localdate().strftime("%Y-%m")  # Beijing dates, as everywhere
TODAY = timezone.localdate().isoformat()


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


CREATIONS = [
    Creation(
        "/api/v1/notices/",
        "secretary",
        lambda r: {"organization": r.inside("org"), "title": "越界检查", "body": "请阅"},
        {"organization": "org"},
    ),
    Creation(
        "/api/v1/meetings/",
        "secretary",
        lambda r: {
            "organization": r.inside("org"),
            "kind": "branch_assembly",
            "topic": "越界检查",
            "starts_at": _start(),
            "ends_at": _end(),
            "party_group": r.inside("party_group"),
            "host": r.inside("member"),
        },
        {"organization": "org", "party_group": "party_group", "host": "member"},
    ),
    Creation(
        "/api/v1/study-plans/",
        "secretary",
        lambda r: {"organization": r.inside("org"), "year": 2030, "title": "越界检查"},
        {"organization": "org"},
    ),
    Creation(
        "/api/v1/party-groups/",
        "secretary",
        lambda r: {"organization": r.inside("branch"), "name": "越界检查小组"},
        {"organization": "branch"},
    ),
    Creation(
        "/api/v1/members/",
        "secretary",
        lambda r: {
            "organization": r.inside("branch"),
            "party_group": r.inside("party_group"),
            "name": "越界检查",
            "id_number": "11010519491231002X",
            "category": "full",
            "join_date": "2000-07-01",
        },
        {"organization": "branch", "party_group": "party_group"},
    ),
    Creation(
        "/api/v1/organizations/",
        "sysadmin",
        lambda r: {
            "parent": r.inside("committee"),
            "code": "430102999",
            "name": "越界检查党委",
            "kind": "committee",
        },
        {"parent": "committee"},
    ),
    Creation(
        "/api/v1/users/",
        "sysadmin",
        lambda r: {
            "username": "yuejie",
            "password": "Zhi-hui-dang-jian-7",
            "home_org": r.inside("branch"),
            "member": r.inside("member"),
        },
        {"member": "member", "home_org": "branch"},
    ),
    Creation(
        "/api/v1/grants/",
        "secadmin",
        lambda r: {"user": r.inside("user"), "organization": r.inside("branch"), "role": "organizer"},
        {"user": "user", "organization": "branch"},
    ),
    Creation(
        "/api/v1/lecturers/",
        "county_staff",
        lambda r: {"organization": r.inside("committee"), "name": "越界检查", "kind": "expert"},
        {"organization": "committee"},
    ),
    Creation(
        "/api/v1/term-changes/",
        "county_staff",
        lambda r: {
            "organization": r.inside("committee"),
            "planned_on": "2030-01-10",
            "seats": 3,
            "plan": "越界检查",
        },
        {"organization": "committee"},
    ),
    Creation(
        "/api/v1/village-elections/",
        "county_staff",
        lambda r: {"organization": r.inside("branch"), "year": int(TODAY[:4]), "planned_on": TODAY},
        {"organization": "branch"},
    ),
    Creation(
        "/api/v1/campaigns/",
        "county_staff",
        lambda r: {
            "organization": r.inside("committee"),
            "kind": "task",
            "title": "越界检查",
            "instructions": "请报送",
            "deadline": f"{TODAY[:4]}-12-31",
            "target_kinds": ["branch"],
        },
        {"organization": "committee"},
    ),
    Creation(
        "/api/v1/honour-calls/",
        "county_staff",
        lambda r: {
            "organization": r.inside("committee"),
            "title": "越界检查",
            "criteria": "越界检查",
            "categories": ["member"],
            "nominations_due": _days(10),
            "publish_by": _days(40),
        },
        {"organization": "committee"},
    ),
    Creation(
        "/api/v1/nominations/",
        "secretary",
        lambda r: {
            "call": r.inside("call"),
            "nominating_organization": r.inside("branch"),
            "honour": "member",
            "nominee_member": r.inside("member"),
            "story": "越界检查",
        },
        {"call": "call", "nominating_organization": "branch", "nominee_member": "member"},
    ),
    Creation(
        "/api/v1/problems/",
        "secretary",
        lambda r: {
            "organization": r.inside("branch"),
            "member": r.inside("member"),
            "year": int(TODAY[:4]),
            "description": "越界检查",
            "owner": "书记",
            "deadline": f"{TODAY[:4]}-12-31",
        },
        {"organization": "branch", "member": "member"},
    ),
    Creation(
        "/api/v1/weak-listings/",
        "county_staff",
        # Last year's list: this year's already holds the branch (the scope matrix's world).
        lambda r: {
            "county": r.inside("committee"),
            "organization": r.inside("branch"),
            "year": int(TODAY[:4]) - 1,
            "reason": "越界检查",
        },
        {"county": "committee", "organization": "branch"},
    ),
    Creation(
        "/api/v1/villagework/flags/",
        "county_staff",
        lambda r: {
            "county": r.inside("committee"),
            "village": r.inside("village"),
            "start": TODAY,
            "reason": "越界检查",
        },
        {"county": "committee", "village": "village"},
    ),
    Creation(
        "/api/v1/villagework/assignments/",
        "county_staff",
        lambda r: {
            "county": r.inside("committee"),
            "village": r.inside("flagged_village"),
            "role": "team_member",
            "name": "越界检查",
            "sending_unit": "县直单位",
            "phone": "13812345678",
            "start": TODAY,
        },
        {"county": "committee", "village": "flagged_village", "member": "member"},
    ),
    Creation(
        "/api/v1/villagework/trainings/",
        "county_staff",
        lambda r: {
            "county": r.inside("committee"),
            "title": "培训",
            "start": TODAY,
            "end": TODAY,
            "hours": "8",
        },
        {"county": "committee"},
    ),
    Creation(
        "/api/v1/weak-listings/screen/",
        "county_staff",
        lambda r: {"county": r.inside("committee"), "year": int(TODAY[:4])},
        {"county": "committee"},
        ok=(200,),
    ),
    Creation(
        "/api/v1/community/posts/",
        "secretary",
        lambda r: {"organization": r.inside("branch"), "name": "越界检查", "duties": "越界检查"},
        {"organization": "branch"},
    ),
    Creation(
        "/api/v1/community/commitments/",
        "secretary",
        lambda r: {"member": r.inside("member"), "year": int(TODAY[:4]), "text": "越界检查"},
        {"member": "member"},
    ),
    Creation(
        "/api/v1/community/commitments/publish/",
        "secretary",
        lambda r: {"organization": r.inside("branch"), "year": int(TODAY[:4])},
        {"organization": "branch"},
        ok=(200,),
    ),
    Creation(
        "/api/v1/community/pairings/",
        "secretary",
        lambda r: {
            "organization": r.inside("branch"),
            "member": r.inside("member"),
            "head_name": "越界检查",
            "address": "某街道",
            "difficulty": "因病",
        },
        {"organization": "branch", "member": "member"},
    ),
    Creation(
        "/api/v1/community/registrations/",
        "county_staff",
        # A member of a workplace branch of the county registers with the county's community branch.
        lambda r: {"member": Member.objects.get(name="在职检查").pk, "community": r.inside("branch")},
        {"member": "member", "community": "branch"},
    ),
    Creation(
        "/api/v1/dispatches/",
        "county_staff",
        lambda r: {
            "lecturer": r.inside("lecturer"),
            "branch": r.inside("branch"),
            "date": TODAY,
            "topic": "越界检查",
        },
        {"lecturer": "lecturer", "branch": "branch"},
    ),
    Creation(
        "/api/v1/leaders/",
        "county_staff",
        lambda r: {"committee": r.inside("committee"), "member": r.inside("member"), "post": "委员"},
        {"committee": "committee", "member": "member"},
    ),
    Creation(
        "/api/v1/dues/profiles/",
        "secretary",
        lambda r: {"member": r.inside("member"), "dues_category": "student", "effective_from": MONTH},
        {"member": "member"},
    ),
    Creation(
        "/api/v1/dues/payments/",
        "secretary",
        lambda r: {
            "member": r.inside("member"),
            "period_from": MONTH,
            "amount": "0.20",
            "receipt_no": "越界",
        },
        {"member": "member"},
    ),
    Creation(
        "/api/v1/dues/reductions/",
        "secretary",
        lambda r: {
            "member": r.inside("member"),
            "month_from": MONTH,
            "month_to": MONTH,
            "amount": "0",
            "reason": "越界检查",
        },
        {"member": "member"},
    ),
    Creation(
        "/api/v1/points/rules/",
        "county_staff",
        lambda r: {
            "committee": r.inside("committee_pk"),
            "year": 2030,
            "rule_kind": "manual",
            "name": "越界",
            "points": 1,
        },
        {"committee": "committee_pk"},
    ),
    Creation(
        "/api/v1/points/entries/",
        "secretary",
        lambda r: {
            "member": r.inside("member"),
            "rule": r.inside("rule"),
            "occurred_on": TODAY,
            "reason": "越界检查",
        },
        {"member": "member", "rule": "rule"},
    ),
    Creation(
        "/api/v1/evaluation/campaigns/",
        "secretary",
        lambda r: (
            {"branch": Organization.objects.get(code=r.inside("branch")).pk, "year": 2030}
            | {"opens_on": "2030-01-10", "closes_on": "2030-01-20"}
        ),
        {"branch": "branch_pk"},
    ),
    Creation(
        "/api/v1/transfers/",
        "secretary",
        lambda r: {"member": r.inside("member"), "destination": "外省", "reason": "越界检查"},
        {"member": "member"},
    ),
    Creation(
        "/api/v1/floating/",
        "secretary",
        lambda r: {"member": r.inside("member"), "left_on": TODAY, "destination": "广东", "reason": "务工"},
        {"member": "member"},
    ),
    Creation(
        "/api/v1/lost-contact/",
        "secretary",
        lambda r: {"member": r.inside("member"), "lost_on": TODAY},
        {"member": "member"},
    ),
    Creation(
        "/api/v1/cards/",
        "secretary",
        lambda r: {"member": r.inside("member")},
        {"member": "member"},
    ),
    Creation(
        "/api/v1/threads/",
        "member_user",
        lambda r: {"organization": r.inside("org"), "title": "越界检查", "body": "越界检查"},
        {"organization": "org"},
    ),
    Creation(
        "/api/v1/polls/",
        "secretary",
        lambda r: {
            "organization": r.inside("branch"),
            "title": "越界检查",
            "options": ["甲", "乙"],
            "closes_at": _end(),
            "electorate": "group",
            "party_group": r.inside("party_group"),
        },
        {"organization": "branch", "party_group": "party_group"},
    ),
    Creation(
        "/api/v1/polls/",
        "secretary",
        lambda r: {
            "organization": r.inside("branch"),
            "title": "越界检查",
            "options": ["甲", "乙"],
            "closes_at": _end(),
            "electorate": "chosen",
            "members": [r.inside("member")],
        },
        {"members": "member"},
    ),
    Creation(
        "/api/v1/development/applicants/",
        "secretary",
        lambda r: {**development_person(), "organization": r.inside("branch"), "applied_on": _days(-900)},
        {"organization": "branch"},
    ),
]
# Endpoints that take a reference in a POST body but create nothing, and where that is tested.
NOT_CREATIONS = {
    "/api/v1/members/search/": "a search: members/tests (outside ids find nothing)",
    "/api/v1/cards/mine/": "the caller's own card: identity/tests",
    "/api/v1/transfers/request/": "a member asks for their own transfer: transfers/tests",
    "/api/v1/probation-decisions/": "needs a probation member and a meeting: transfers/tests/test_probation*",
    "/api/v1/evaluation/handlings/": "needs an approved campaign: evaluation/tests/test_api.py",
    "/api/v1/imports/": "a file upload naming the organization: roster/tests",
}
KINDS["branch_pk"] = KINDS["branch"]
KINDS["committee_pk"] = KINDS["committee"]


def _takes_references(url: str) -> bool:
    match = resolve(url)
    cls, actions = getattr(match.func, "cls", None), getattr(match.func, "actions", None) or {}
    if cls is None or "post" not in actions:
        return False
    view = cls()
    view.action, view.format_kwarg, view.request = actions["post"], None, None
    fields = view.get_serializer_class()().fields
    return any(
        isinstance(f, serializers.RelatedField | OrganizationCodeField)
        or name in ("member", "rule", "meeting", "organization", "parent")
        for name, f in fields.items()
        if not f.read_only
    )


def test_every_creation_with_a_reference_is_covered() -> None:
    covered = {c.url for c in CREATIONS} | set(NOT_CREATIONS)
    posting = {"/" + r.template for r in ROUTES if r.template.startswith("api/") and "<" not in r.template}
    missing = sorted(url for url in posting - covered if _takes_references(url))
    assert missing == []


@pytest.fixture
def referenced_world(big_world: World) -> World:
    """The inside objects a body may name that the scope matrix's world lacks."""
    from dangjian.core.scoping import SYSTEM

    add_lecturer(big_world.county, "宣讲员甲", "expert", is_reporter=True, acting_user=SYSTEM)
    rule(big_world.county, "manual", "好人好事", 3, year=timezone.localdate().year)
    make_org(big_world.township, "引用村党支部", "430102001901", "branch", "rural")
    member = make_member(big_world.branch, "引用检查")  # no transfer or card under way
    workplace = make_org(big_world.county, "区财政局机关党支部", "430102900001", "branch", "government")
    make_member(workplace, "在职检查")  # registers with a community branch of the county
    set_profile(member, "student", effective_from=timezone.localdate().replace(day=1), acting_user=SYSTEM)
    return big_world


@pytest.mark.parametrize("creation", CREATIONS, ids=lambda c: c.url)
def test_one_outside_reference_refuses_an_otherwise_valid_creation(
    referenced_world: World, creation: Creation
) -> None:
    world = referenced_world
    client = Client()
    client.force_login(world.users[creation.actor])
    refs = Refs(world, creation.actor)
    before = outside_state(world, creation.actor)
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for key, kind in creation.refs.items():
        body = creation.body(refs)
        outside = refs.nearest_outside(kind)
        body[key] = [outside] if isinstance(body.get(key), list) else outside  # a list of references
        response = client.post(creation.url, body, content_type="application/json")
        assert response.status_code in (400, 403, 404), (
            creation.url,
            key,
            response.status_code,
            response.content,
        )
    assert outside_state(world, creation.actor) == before
    grants = grant_paths(world, creation.actor)
    done = AuditEntry.objects.filter(pk__gt=last_entry, success=True)
    assert [e.action for e in done if not any(e.org_path.startswith(g) for g in grants)] == []
    # The same body with every reference inside succeeds: the refusal was the reference's.
    response = client.post(creation.url, creation.body(refs), content_type="application/json")
    assert response.status_code in creation.ok, (creation.url, response.status_code, response.content)
