"""Member development through the API: the same rules, the same services and the same personas
as the pages — the branch's officers register and record the branch's steps, the level above
files and approves (never an introducer), members and other counties get 404; bad input 400 with
the rule's words and nothing changed; a stale version 409; the ID number and phone only masked."""

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from dangjian.accounts.credential_services import issue_api_token
from dangjian.accounts.roles import Role
from dangjian.development.models import Applicant, Objection, Stage, Step
from dangjian.dues.tests.images import png
from dangjian.members.models import Member
from dangjian.testing.api import english_client
from dangjian.testing.world import World, add_every_role, make_user

from .helpers import days_ago, facts, id_number, person, register, township_staff, up_to

pytestmark = pytest.mark.django_db

URL = "/api/v1/development/applicants/"


def body(world: World, **extra: Any) -> dict[str, Any]:
    return {**person(), "organization": world.branch.code, "applied_on": days_ago(900).isoformat(), **extra}


def step_body(world: World, number: int) -> dict[str, Any]:
    """The helpers' valid facts of a step, as JSON: members and the meeting by id, dates ISO."""
    out: dict[str, Any] = {}
    for key, value in facts(world, number).items():
        if key == "on" and number == 15:
            continue  # the vote is dated by its assembly
        if key == "people":
            out[key] = [m.pk for m in value]
        elif key == "meeting":
            out[key] = value.pk
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def actor(world: World, number: int) -> str:
    township_staff(world)
    return "township_staff" if number in (4, 8, 13, 16, 17, 18) else "secretary"


def record(api: Any, world: World, applicant: Applicant, number: int, **extra: Any) -> Any:
    return api(actor(world, number)).post(
        f"{URL}{applicant.pk}/steps/{number}/", step_body(world, number) | extra
    )


def state(applicant: Applicant) -> tuple[Any, ...]:
    a = Applicant.objects.get(pk=applicant.pk)
    return a.stage, a.last_step, a.version, Step.objects.filter(applicant=a).count()


def test_from_application_to_probationary_member(api: Any, world: World) -> None:
    made = api("secretary").post(URL, body(world))
    assert made.status_code == 201, made.data
    applicant = Applicant.objects.get(pk=made.data["id"])
    assert made.data["stage"] == "applicant" and made.data["may_record"] == [2]
    version = made.data["version"]
    for number in range(2, 18):
        if number == 6:
            for ago in (730, 550):
                done = api("secretary").post(
                    f"{URL}{applicant.pk}/steps/6/",
                    {"on": days_ago(ago).isoformat(), "note": "表现良好", "version": version},
                )
                assert done.status_code == 201, done.data
                version = done.data["version"]
            continue
        done = record(api, world, applicant, number, version=version)
        assert done.status_code == 201, (number, done.data)
        version = done.data["version"]
    assert done.data["stage"] == "admitted" and done.data["member"]
    member = Member.objects.get(pk=done.data["member"])
    assert member.category == "probationary" and member.join_date == days_ago(60)
    steps = api("county_staff").get(f"{URL}{applicant.pk}/steps/")
    assert [s["number"] for s in steps.data] == [1, 2, 3, 4, 5, 6, 6, *range(7, 18)]
    nine = next(s for s in steps.data if s["number"] == 9)
    assert {p["id"] for p in nine["people"]} == {world.member.pk, world.member2.pk}
    fifteen = next(s for s in steps.data if s["number"] == 15)
    assert (fifteen["should_attend"], fifteen["present"], fifteen["votes_for"]) == (2, 2, 2)


def test_the_id_number_and_phone_are_only_ever_masked(api: Any, world: World) -> None:
    given = body(world)
    made = api("secretary").post(URL, given)
    pk = made.data["id"]
    answers = [
        made,
        api("secretary").get(URL),
        api("secretary").get(f"{URL}{pk}/"),
        api("county_staff").get(f"{URL}{pk}/steps/"),
    ]
    for response in answers:
        text = response.content.decode()
        assert given["id_number"] not in text and given["phone"] not in text
    applicant = Applicant.objects.get(pk=pk)
    assert (
        made.data["id_number"] == applicant.id_number_masked and made.data["phone"] == applicant.phone_masked
    )
    # The birth date as on the page: year-month for a role with reveal_pii, the year in lists.
    assert made.data["birth"] == "1998-04" and answers[1].data["results"][0]["birth"] == "1998"
    assert all("1998-04-12" not in r.content.decode() for r in answers)


# --- personas ------------------------------------------------------------------------------------

OK, ACTOR, HIDDEN = "ok", "actor", "404"
# persona → (a branch step, a step of the level above), as development/tests/test_personas.py
MATRIX = {
    "secretary": (OK, ACTOR),
    "organizer": (OK, ACTOR),
    "township_staff": (ACTOR, OK),
    "county_staff": (ACTOR, OK),
    "province_staff": (ACTOR, OK),
    "member_user": (HIDDEN, HIDDEN),
    "supervisor": (HIDDEN, HIDDEN),
    "outsider": (HIDDEN, HIDDEN),
    "sysadmin": (HIDDEN, HIDDEN),
    "auditor": (HIDDEN, HIDDEN),
    "secadmin": (HIDDEN, HIDDEN),
}


def outcome(response: Any) -> str:
    if response.status_code in (200, 201):
        return OK
    if response.status_code == 404:
        return HIDDEN
    assert response.status_code == 400, (response.status_code, response.data)
    return ACTOR


@pytest.fixture
def people(world: World) -> World:
    add_every_role(world)
    township_staff(world)
    return world


@pytest.mark.parametrize("persona", list(MATRIX))
def test_who_records_which_step(api: Any, people: World, persona: str) -> None:
    world = people
    client = api(persona)
    branch_step, above_step = MATRIX[persona]
    made = client.post(URL, body(world))
    if branch_step == HIDDEN:
        # The branch is named in the body: outside the reach it is no such organization.
        assert made.status_code == 400 and made.data["organization"] == ["No such organization."]
    else:
        assert outcome(made) == branch_step
    if branch_step == ACTOR:
        assert "recorded by the officers of the branch" in made.data["non_field_errors"][0]
    applicant = register(world)
    assert outcome(client.get(f"{URL}{applicant.pk}/")) == (HIDDEN if branch_step == HIDDEN else OK)
    before = state(applicant)
    assert outcome(client.post(f"{URL}{applicant.pk}/steps/2/", step_body(world, 2))) == branch_step
    if branch_step != OK:
        assert state(applicant) == before
    up_to(world, applicant, 3)
    assert outcome(client.post(f"{URL}{applicant.pk}/steps/4/", step_body(world, 4))) == above_step
    up_to(world, applicant, 16)
    assert outcome(client.post(f"{URL}{applicant.pk}/steps/17/", step_body(world, 17))) == above_step
    other = register(world)
    ended = client.post(f"{URL}{other.pk}/end/", {"note": "本人撤回申请"})
    assert outcome(ended) == (HIDDEN if branch_step == HIDDEN else OK)
    listed = client.get(URL)
    assert listed.status_code == 200
    assert bool(listed.data["results"]) == (branch_step != HIDDEN)


def test_an_introducer_never_approves(api: Any, world: World) -> None:
    world.users["introducer"] = make_user(
        "introducer", Role.COMMITTEE_STAFF, world.township, member=world.member2
    )
    applicant = up_to(world, register(world), 16)
    refused = api("introducer").post(f"{URL}{applicant.pk}/steps/17/", step_body(world, 17))
    assert refused.status_code == 400
    assert "An introducer of the candidate cannot approve" in str(refused.data)
    assert Applicant.objects.get(pk=applicant.pk).member is None
    assert api("county_staff").post(f"{URL}{applicant.pk}/steps/17/", step_body(world, 17)).status_code == 201


def test_whoever_recorded_the_vote_never_approves(api: Any, world: World) -> None:
    from dangjian.accounts.services import grant_role
    from dangjian.core.scoping import SYSTEM

    staff = township_staff(world)
    grant_role(staff, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    staff.forget_grants()
    applicant = up_to(world, register(world), 14)
    assert (
        api("township_staff").post(f"{URL}{applicant.pk}/steps/15/", step_body(world, 15)).status_code == 201
    )
    up_to(world, applicant, 16)
    refused = api("township_staff").post(f"{URL}{applicant.pk}/steps/17/", step_body(world, 17))
    assert refused.status_code == 400 and "recorded the branch assembly" in str(refused.data)
    assert Applicant.objects.get(pk=applicant.pk).stage == Stage.ADMISSION


def test_outside_the_reach_everything_is_404_and_nothing_changes(api: Any, world: World) -> None:
    applicant = up_to(world, register(world), 12)
    file_id = Step.objects.get(applicant=applicant, number=1).files.values_list("pk", flat=True).first()
    before = state(applicant)
    for persona in ("outsider", "member_user"):
        client = api(persona)
        one = f"{URL}{applicant.pk}/"
        for url in (one, f"{one}steps/", f"{one}objections/", f"{one}files/{file_id or 1}/"):
            assert client.get(url).status_code == 404, (persona, url)
        # A bad body is not even read: the person's existence is not confirmed.
        assert client.post(f"{one}steps/13/", {"bogus": 1}).status_code == 404
        assert client.post(f"{one}end/", {"note": "x"}).status_code == 404
        assert client.post(f"{one}objections/", {"text": "x", "received_on": "2020-01-01"}).status_code == 404
    assert state(applicant) == before


# --- bad input: 400 with the rule's words, nothing changed ---------------------------------------


def test_a_step_out_of_order_is_refused(api: Any, world: World) -> None:
    applicant = register(world)
    before = state(applicant)
    refused = record(api, world, applicant, 3)
    assert refused.status_code == 400
    assert "Steps are taken in order" in str(refused.data) and "step 3" in str(refused.data)
    assert state(applicant) == before
    assert api("secretary").post(f"{URL}{applicant.pk}/steps/1/", {"on": "2020-01-01"}).status_code == 400
    # Stage 5's steps exist but wait for the approval; 23 and 24 are the probation decisions.
    assert api("secretary").post(f"{URL}{applicant.pk}/steps/19/", {"on": "2020-01-01"}).status_code == 400
    for number in (23, 24, 26):
        assert api("secretary").post(f"{URL}{applicant.pk}/steps/{number}/", {}).status_code == 404


def test_a_date_in_the_future_is_refused(api: Any, world: World) -> None:
    applicant = register(world)
    before = state(applicant)
    refused = record(api, world, applicant, 2, on=days_ago(-1).isoformat())
    assert refused.status_code == 400
    assert refused.data["on"] == ["The date of a step cannot be in the future."]
    assert state(applicant) == before
    future = api("secretary").post(URL, body(world, applied_on=days_ago(-1).isoformat()))
    assert future.status_code == 400 and "future" in str(future.data["applied_on"])


def test_a_stale_version_is_409(api: Any, world: World) -> None:
    applicant = register(world)
    seen = applicant.version
    assert record(api, world, applicant, 2, version=seen).status_code == 201
    before = state(applicant)
    stale = record(api, world, applicant, 3, version=seen)
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    assert (
        api("secretary").post(f"{URL}{applicant.pk}/end/", {"note": "撤回", "version": seen}).status_code
        == 409
    )
    assert state(applicant) == before


def test_the_same_person_twice_is_refused_without_naming_the_other_branch(api: Any, world: World) -> None:
    first = register(world)
    world.users["secretary_b"] = make_user("secretary_b", Role.SECRETARY, world.branch_b)
    count = Applicant.objects.count()
    again = api("secretary_b").post(
        URL, body(world, organization=world.branch_b.code, id_number=first.id_number)
    )
    assert again.status_code == 400
    text = str(again.data["id_number"])
    assert "already in development" in text and world.branch.name not in again.content.decode()
    member = api("secretary").post(URL, body(world, id_number=world.member_b.id_number))
    assert member.status_code == 400 and "member with this ID number" in str(member.data["id_number"])
    assert Applicant.objects.count() == count
    # Once the first development has ended, the person may apply again.
    api("secretary").post(f"{URL}{first.pk}/end/", {"note": "本人撤回申请"})
    assert (
        api("secretary_b")
        .post(URL, body(world, organization=world.branch_b.code, id_number=first.id_number))
        .status_code
        == 201
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id_number": "430102199804120011"}, "id_number", ""),  # check digit wrong (GB 11643)
        ({"id_number": "under 18"}, "birth_date", "at least 18 years old"),
        ({"name": ""}, "name", ""),
        ({"education": "nonsense"}, "education", ""),
        ({"phone": "12345"}, "phone", ""),
        ({"gender": "female"}, "gender", ""),  # the ID number says male
        ({"organization": "430102001"}, "non_field_errors", "received by a branch"),  # the township
        ({"shoe_size": 42}, "shoe_size", "Unknown field"),
    ],
)
def test_bad_registrations_are_refused(
    api: Any, world: World, change: dict[str, Any], field: str, words: str
) -> None:
    if change.get("id_number") == "under 18":
        change = {"id_number": id_number(birth=days_ago(900).replace(year=days_ago(900).year - 17))}
    api_user = "secretary"
    if "organization" in change:  # a township's officer, at the township
        api_user = "township_secretary"
        world.users[api_user] = make_user(api_user, Role.SECRETARY, world.township)
    refused = api(api_user).post(URL, body(world, **change))
    assert refused.status_code == 400, refused.data
    assert field in refused.data and words in str(refused.data[field])
    assert Applicant.objects.count() == 0


def test_bad_steps_are_refused_with_the_rules_words(api: Any, world: World) -> None:
    applicant = up_to(world, register(world), 4)
    # Contacts: members of the branch only, by id (another county's member is no valid choice).
    before = state(applicant)
    other = record(api, world, applicant, 5, people=[world.member_b.pk])
    assert other.status_code == 400 and "people" in other.data
    assert record(api, world, applicant, 5, people=[]).status_code == 400
    wrong_field = record(api, world, applicant, 5, form_number="x")
    assert wrong_field.status_code == 400 and wrong_field.data["form_number"] == [
        "This step does not take this field."
    ]
    assert state(applicant) == before
    up_to(world, applicant, 14)
    # The vote: more than half of those who should attend must vote for it.
    lost = record(api, world, applicant, 15, should_attend=2, present=2, votes_for=1)
    assert lost.status_code == 400 and "is not passed" in str(lost.data["votes_for"])
    assert record(api, world, applicant, 15, should_attend=9).status_code == 400  # more than on the roll
    assert state(applicant)[1] == 14


def test_messages_in_chinese_under_zh_hans(world: World) -> None:
    applicant = register(world)
    client = APIClient()
    client.cookies["django_language"] = "zh-hans"
    client.force_authenticate(world.users["secretary"])
    refused = client.post(f"{URL}{applicant.pk}/steps/3/", step_body(world, 3), format="json")
    assert refused.status_code == 400
    assert "Steps are taken" not in str(refused.data)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.data))


# --- end, objections, documents -------------------------------------------------------------------


def test_ending_needs_the_reason(api: Any, world: World) -> None:
    applicant = register(world)
    assert api("secretary").post(f"{URL}{applicant.pk}/end/", {"note": ""}).status_code == 400
    ended = api("county_staff").post(f"{URL}{applicant.pk}/end/", {"note": "本人撤回申请"})
    assert ended.status_code == 200 and ended.data["stage"] == "ended" and ended.data["may_record"] == []
    assert record(api, world, applicant, 2).status_code == 400


def test_objections_during_the_public_notice(api: Any, world: World) -> None:
    applicant = register(world)
    early = api("secretary").post(
        f"{URL}{applicant.pk}/objections/", {"text": "有异议", "received_on": days_ago(1).isoformat()}
    )
    assert early.status_code == 400 and "during the public notice" in str(early.data)
    up_to(world, applicant, 12)
    made = api("secretary").post(
        f"{URL}{applicant.pk}/objections/",
        {"text": "群众反映有异议", "received_on": days_ago(435).isoformat()},
    )
    assert made.status_code == 201 and made.data["answered_on"] is None
    pending = record(api, world, applicant, 13)
    assert pending.status_code == 400 and "Answer every objection" in str(pending.data)
    answer = f"{URL}{applicant.pk}/objections/{made.data['id']}/answer/"
    assert (
        api("outsider").post(answer, {"answer": "x", "answered_on": days_ago(434).isoformat()}).status_code
        == 404
    )
    answered = api("township_staff").post(
        answer, {"answer": "经核实，反映不实", "answered_on": days_ago(434).isoformat()}
    )
    assert answered.status_code == 200 and answered.data["answered_on"] == days_ago(434).isoformat()
    assert (
        api("secretary")
        .post(answer, {"answer": "再答", "answered_on": days_ago(433).isoformat()})
        .status_code
        == 400
    )
    listed = api("secretary").get(f"{URL}{applicant.pk}/objections/")
    assert [o["answer"] for o in listed.data] == ["经核实，反映不实"]
    assert record(api, world, applicant, 13).status_code == 201
    assert Objection.objects.get().answered_on == days_ago(434)


def test_documents_uploaded_with_a_step_and_downloaded(api: Any, world: World) -> None:
    client = api("secretary")
    made = client.post(
        URL, body(world) | {"files": [SimpleUploadedFile("申请书.png", png())]}, format="multipart"
    )
    assert made.status_code == 201, made.data
    pk = made.data["id"]
    up_to(world, Applicant.objects.get(pk=pk), 5)
    # An assessment written or attached: here attached, in a multipart body.
    assessed = client.post(
        f"{URL}{pk}/steps/6/",
        {"on": days_ago(730).isoformat(), "files": [SimpleUploadedFile("考察.png", png())]},
        format="multipart",
    )
    assert assessed.status_code == 201, assessed.data
    steps = client.get(f"{URL}{pk}/steps/").data
    files = [f for s in steps for f in s["files"]]
    assert [f["name"] for f in files] == ["申请书.png", "考察.png"]
    assert client.get(files[0]["url"]).status_code == 200
    assert api("outsider").get(files[0]["url"]).status_code == 404
    bad = client.post(
        f"{URL}{pk}/steps/6/",
        {"on": days_ago(550).isoformat(), "files": [SimpleUploadedFile("x.png", b"not a picture")]},
        format="multipart",
    )
    assert bad.status_code == 400 and Step.objects.filter(applicant_id=pk, number=6).count() == 1


# --- list, channels -------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_and_paged(
    api: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    mine = [register(world) for _ in range(3)]
    up_to(world, mine[0], 3)
    from dangjian.development.services import register_application

    from .helpers import SYSTEM

    register_application(world.branch_b, person(), applied_on=days_ago(900), acting_user=SYSTEM)
    client = api("county_staff")
    with django_assert_max_num_queries(8):
        listed = client.get(URL)
    assert sorted(r["id"] for r in listed.data["results"]) == sorted(a.pk for a in mine)
    activists = client.get(URL, {"stage": Stage.ACTIVIST})
    assert [r["id"] for r in activists.data["results"]] == [mine[0].pk]
    assert client.get(URL, {"organization": world.branch2.code}).data["results"] == []
    assert len(client.get(URL, {"organization": world.township.code}).data["results"]) == 3
    assert client.get(URL, {"organization": world.branch_b.code}).data["results"] == []
    paged = client.get(URL, {"page_size": 2})
    assert len(paged.data["results"]) == 2 and paged.data["next"]


def test_token_and_session_enforce_the_same_rules(world: World) -> None:
    applicant = register(world)
    token, _row = issue_api_token(world.users["outsider"], second_factor=True)
    bearer = english_client()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.get(f"{URL}{applicant.pk}/").status_code == 404
    token, _row = issue_api_token(world.users["secretary"], second_factor=True)
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.post(f"{URL}{applicant.pk}/steps/3/", step_body(world, 3), format="json").status_code == 400
    done = bearer.post(f"{URL}{applicant.pk}/steps/2/", step_body(world, 2), format="json")
    assert done.status_code == 201 and done.data["last_step"] == 2
    session = Client()
    session.force_login(world.users["secretary"])
    one = f"{URL}{applicant.pk}/"
    assert (
        session.post(f"{one}steps/4/", step_body(world, 4), content_type="application/json").status_code
        == 400
    )
    assert (
        session.post(f"{one}steps/3/", step_body(world, 3), content_type="application/json").status_code
        == 201
    )
    outsider = Client()
    outsider.force_login(world.users["outsider"])
    assert (
        outsider.post(f"{one}steps/4/", step_body(world, 4), content_type="application/json").status_code
        == 404
    )
    assert Applicant.objects.get(pk=applicant.pk).last_step == 3
