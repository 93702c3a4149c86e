"""The village and community two-committee elections (work point 21): the township plans, reviews
the candidates and files; the village records and reports the results; the county sees all
below; members and other counties see nothing. Bad input is refused and changes nothing."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.compliance import engine
from dangjian.compliance.models import Result, Status
from dangjian.compliance.tests.factories import load
from dangjian.core.exceptions import OutOfScope
from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEntry, StateChange
from dangjian.elections import services as term_services
from dangjian.elections.village import queries, services
from dangjian.elections.village.models import (
    Candidate,
    ReviewResult,
    VillageCommittee,
    VillageElection,
    VillageElectionState,
)
from dangjian.elections.village.services import Seat
from dangjian.members.models import Member
from dangjian.testing.world import World, make_member, make_user

S = VillageElectionState
HUNAN = Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "hunan-2017.yaml"
_n = iter(range(1, 400))


@pytest.fixture
def town(world: World) -> World:
    """The world with the township's staff (定王台街道党工委, above the two community branches)."""
    world.users["township_staff"] = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    return world


def _id() -> str:
    import random

    return generate_id_number(random.Random(next(_n)), date(1975, 3, 2), "male")


def _today() -> date:
    return timezone.localdate()


def _plan(world: World, org: Any = None, day: date | None = None, user: Any = None) -> VillageElection:
    return services.plan_election(
        org or world.branch, _today().year, day or _today(), acting_user=user or world.township_staff
    )


def _reviewed(world: World, director: tuple[str, str] | None = None) -> VillageElection:
    """Planned, two candidates for the committee (the director's and a member's) passed."""
    e = _plan(world)
    name, number = director or ("刘洋", _id())
    services.add_candidate(e, name, number, "director", acting_user=world.township_staff)
    services.add_candidate(e, "陈静", _id(), "committee_member", acting_user=world.township_staff)
    for c in Candidate.objects.filter(election=e):
        services.review_candidate(c, "passed", "联审通过", acting_user=world.township_staff)
    return services.close_review(e, acting_user=world.township_staff)


def _seats(e: VillageElection) -> list[Seat]:
    director, member = list(Candidate.objects.filter(election=e).order_by("id"))[:2]
    return [Seat(director.pk, "director", 310), Seat(member.pk, "committee_member", 280)]


def _elected(world: World, **kwargs: Any) -> VillageElection:
    e = _reviewed(world, **kwargs)
    services.record_results(e, _today(), _seats(e), acting_user=world.secretary)
    return services.report(e, acting_user=world.secretary)


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_the_whole_flow_files_and_writes_the_village_committee(town: World) -> None:
    e = _elected(town)
    e = services.file_election(e, acting_user=town.township_staff)
    assert e.state == S.FILED and e.filed_on == _today()
    committee = VillageCommittee.objects.get(organization=town.branch)
    assert committee.director_name == "刘洋" and committee.members_count == 2
    assert committee.term_start == _today() and committee.term_end.year == _today().year + 5
    assert committee.kind == "residents"  # a community's
    assert [s.move for s in StateChange.of_many(VillageElection, [e.pk])] == [
        "create",
        "review",
        "report",
        "file",
    ]
    assert AuditEntry.objects.filter(action="village_election.file", success=True).count() == 1
    # The ID numbers are encrypted at rest, found by their blind index.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM elections_candidate")
        raw = cursor.fetchone()[0]
    assert raw and not raw.isdigit()


def test_return_and_reopen_for_correction(town: World) -> None:
    e = _elected(town)
    with pytest.raises(ValidationError):
        services.return_results(e, acting_user=town.township_staff)  # say what must change
    e = services.return_results(e, note="得票数有误", acting_user=town.township_staff)
    assert e.state == S.REVIEWED and e.review_note == "得票数有误"
    e = services.reopen_review(e, note="补充联审意见", acting_user=town.township_staff)
    assert e.state == S.PLANNED
    c = Candidate.objects.filter(election=e).first()
    services.review_candidate(c, "failed", "公安部门：有违法记录", acting_user=town.township_staff)
    assert Candidate.objects.get(pk=c.pk).review == ReviewResult.FAILED


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("township_staff", "ok"),
        ("county_staff", "ok"),  # the county sees and acts for all below
        ("secretary", "actor"),  # the village does not plan its own election
        ("member_user", "404"),
        ("outsider", "404"),
    ],
)
def test_who_plans(town: World, persona: str, outcome: str) -> None:
    user = town.users[persona]
    if outcome == "ok":
        assert _plan(town, user=user).state == S.PLANNED
        return
    with pytest.raises(OutOfScope if outcome == "404" else ValidationError):
        _plan(town, user=user)
    assert not VillageElection.objects.exists()


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("township_staff", "ok"),
        ("county_staff", "ok"),
        ("secretary", "excluded"),  # the village's own officers do not file it
        ("member_user", "404"),
        ("outsider", "404"),
    ],
)
def test_who_files(town: World, persona: str, outcome: str) -> None:
    e = _elected(town)
    user = town.users[persona]
    if outcome == "ok":
        assert services.file_election(e, acting_user=user).state == S.FILED
        return
    if outcome == "404":
        with pytest.raises(OutOfScope):
            services.file_election(e, acting_user=user)
    else:
        with pytest.raises(ValidationError) as exc:
            services.file_election(e, acting_user=user)
        assert exc.value.code in ("actor", "excluded")
    assert VillageElection.objects.get(pk=e.pk).state == S.ELECTED
    assert not VillageCommittee.objects.exists()


def test_the_village_secretary_records_results_and_outsiders_cannot(town: World) -> None:
    e = _reviewed(town)
    for user in (town.member_user, town.outsider):
        with pytest.raises(OutOfScope):
            services.record_results(e, _today(), _seats(e), acting_user=user)
    services.record_results(e, _today(), _seats(e), acting_user=town.secretary)
    assert services.report(e, acting_user=town.secretary).state == S.ELECTED
    with pytest.raises(ValidationError):  # the township reviews, not the village
        services.add_candidate(e, "周敏", _id(), "director", acting_user=town.secretary)


def test_results_before_the_review_is_closed_are_refused(town: World) -> None:
    e = _plan(town)
    c = services.add_candidate(e, "刘洋", _id(), "director", acting_user=town.township_staff)
    with pytest.raises(ValidationError) as exc:
        services.record_results(e, _today(), [Seat(c.pk, "director")], acting_user=town.secretary)
    assert exc.value.code == "state"
    with pytest.raises(ValidationError):  # a candidate not reviewed: the review cannot close
        services.close_review(e, acting_user=town.township_staff)
    services.review_candidate(c, "failed", "纪委：受过处分", acting_user=town.township_staff)
    with pytest.raises(ValidationError):  # nobody passed
        services.close_review(e, acting_user=town.township_staff)
    assert not e.seats.exists() and VillageElection.objects.get(pk=e.pk).state == S.PLANNED


def test_only_candidates_who_passed_are_elected(town: World) -> None:
    e = _reviewed(town)
    with pytest.raises(ValidationError):
        services.reopen_review(e, acting_user=town.township_staff)  # say why
    e = services.reopen_review(e, note="增补候选人", acting_user=town.township_staff)
    failed = services.add_candidate(e, "黄磊", _id(), "deputy_director", acting_user=town.township_staff)
    services.review_candidate(failed, "failed", "法院：失信被执行人", acting_user=town.township_staff)
    e = services.close_review(e, acting_user=town.township_staff)
    with pytest.raises(ValidationError) as exc:
        services.record_results(
            e, _today(), [*_seats(e), Seat(failed.pk, "deputy_director")], acting_user=town.secretary
        )
    assert "elected" in exc.value.message_dict
    two_directors = [Seat(s.candidate_id, "director") for s in _seats(e)]
    with pytest.raises(ValidationError):
        services.record_results(e, _today(), two_directors, acting_user=town.secretary)
    with pytest.raises(ValidationError):
        services.record_results(e, _today() + timedelta(days=1), _seats(e), acting_user=town.secretary)
    assert not e.seats.exists()


def test_bad_candidates_are_refused(town: World) -> None:
    e = _plan(town)
    number = _id()
    services.add_candidate(e, "刘洋", number, "director", acting_user=town.township_staff)
    with pytest.raises(ValidationError) as exc:  # the same person for the same post twice
        services.add_candidate(e, "刘洋", number, "director", acting_user=town.township_staff)
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_candidate(e, "刘洋", "43010219750302001", "director", acting_user=town.township_staff)
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.add_candidate(e, "", _id(), "mayor", acting_user=town.township_staff)
    with pytest.raises(ValidationError):  # a failed review says why
        services.review_candidate(e.candidates.get(), "failed", "", acting_user=town.township_staff)
    # The same person may stand for the Party secretary's post too (一肩挑).
    services.add_candidate(e, "刘洋", number, "party_secretary", acting_user=town.township_staff)
    assert e.candidates.count() == 2


def test_planning_twice_or_outside_a_village_is_refused(town: World) -> None:
    _plan(town)
    with pytest.raises(ValidationError):
        _plan(town)
    with pytest.raises(ValidationError):  # the township is no village
        services.plan_election(town.township, _today().year, _today(), acting_user=town.county_staff)
    with pytest.raises(ValidationError):  # a day of another year
        _plan(town, town.branch2, date(_today().year + 1, 3, 1))
    assert VillageElection.objects.count() == 1


def test_an_election_after_30_june_is_allowed_and_flagged(town: World) -> None:
    year = _today().year
    late = _plan(town, day=date(year, 7, 15))
    early = _plan(town, town.branch2, day=date(year, 6, 30))
    assert late.late and not early.late
    page = _client(town.township_staff).get(f"/village-elections/{late.pk}/").content.decode()
    assert 'id="late"' in page


def test_one_shoulder_from_the_confirmed_term_change(town: World) -> None:
    """The village Party organization's confirmed term change elected 张伟 secretary; the
    villagers elect him director: 一肩挑. The other village elects someone else."""
    today = _today()
    tc = term_services.request_term_change(
        town.branch, {"planned_on": today, "seats": 1, "plan": "张伟"}, acting_user=town.secretary
    )
    term_services.approve(tc, acting_user=town.county_staff)
    term_services.record_results(
        tc, today, [term_services.Seat(town.member.pk, "secretary")], acting_user=town.secretary
    )
    term_services.report(tc, acting_user=town.secretary)
    term_services.confirm(tc, acting_user=town.county_staff)
    member = Member.objects.get(pk=town.member.pk)
    mine = _elected(town, director=(member.name, member.id_number))
    assert Candidate.objects.filter(election=mine, member=member).exists()
    # The other community: its secretary on the roll, a different director.
    make_member(town.branch2, "孙丽", committee_post="secretary")
    other = services.plan_election(town.branch2, today.year, today, acting_user=town.township_staff)
    services.add_candidate(other, "郑凯", _id(), "director", acting_user=town.township_staff)
    c = other.candidates.get()
    services.review_candidate(c, "passed", acting_user=town.township_staff)
    services.close_review(other, acting_user=town.township_staff)
    services.record_results(other, today, [Seat(c.pk, "director")], acting_user=town.township_staff)
    rows = list(queries.elections_under(town.county_staff, town.county, today.year))
    queries.annotate(rows)
    by_org = {e.organization_id: e for e in rows}
    assert by_org[town.branch.pk].one_shoulder and by_org[town.branch.pk].secretary.source == "term_change"
    assert not by_org[town.branch2.pk].one_shoulder and by_org[town.branch2.pk].secretary.name == "孙丽"
    each, total = queries.figures(rows, {town.township.pk: town.township.name})
    assert (total.elected, total.one_shoulder, total.share) == (2, 1, 50)
    assert [(f.label, f.elected, f.one_shoulder) for f in each] == [(town.township.name, 2, 1)]
    page = _client(town.county_staff).get(f"/orgs/{town.county.pk}/village-elections/").content.decode()
    assert "1 / 2 (50%)" in page and 'id="township-figures"' in page


def test_the_plan_page_and_its_query_budget(town: World, django_assert_max_num_queries: Any) -> None:
    _elected(town)
    services.plan_election(town.branch2, _today().year, _today(), acting_user=town.township_staff)
    client = _client(town.township_staff)
    url = f"/orgs/{town.township.pk}/village-elections/?year={_today().year}"
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert "第一党支部" in page and "第二党支部" in page and "2 passed, 0 failed, 0 waiting" in page
    for i in range(6):
        org = term_services.Organization.objects.get(pk=town.township.pk)
        from dangjian.testing.world import make_org

        village = make_org(org, f"社区{i}", f"43010200190{i}", "branch", "community")
        services.plan_election(village, _today().year, _today(), acting_user=town.township_staff)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    # The organization page links to it.
    assert (
        f"/orgs/{town.township.pk}/village-elections/"
        in client.get(f"/orgs/{town.township.pk}/").content.decode()
    )


def test_plan_from_the_page(town: World) -> None:
    client = _client(town.township_staff)
    url = f"/orgs/{town.township.pk}/village-elections/"
    bad = client.post(url, {"village": town.branch.pk, "planned_on": "2001-01-01"})
    assert bad.status_code == 200 and not VillageElection.objects.exists()
    ok = client.post(url, {"village": town.branch.pk, "planned_on": _today().isoformat()})
    assert ok.status_code == 302 and VillageElection.objects.get().organization_id == town.branch.pk


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("township_staff", 200),
        ("county_staff", 200),
        ("secretary", 200),
        ("member_user", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_the_election_page(town: World, persona: str, status: int) -> None:
    e = _reviewed(town)
    client = _client(town.users[persona])
    response = client.get(f"/village-elections/{e.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert all(c.id_number not in body for c in Candidate.objects.all())  # masked
    # The plan of the township (the village's secretary: of the village, the township being above).
    org = town.branch if persona == "secretary" else town.township
    plan = client.get(f"/orgs/{org.pk}/village-elections/")
    assert plan.status_code == status
    if status == 200:
        assert f"/village-elections/{e.pk}/" in plan.content.decode()


def test_the_pages_forms(town: World) -> None:
    e = _plan(town)
    staff = _client(town.township_staff)
    page = f"/village-elections/{e.pk}/"
    assert (
        staff.post(
            page, {"form": "candidate", "name": "刘洋", "id_number": _id(), "post": "director"}
        ).status_code
        == 302
    )
    c = Candidate.objects.get()
    assert staff.post(page, {"form": "review", "candidate": c.pk, "result": "failed"}).status_code == 200
    assert Candidate.objects.get().review == ReviewResult.PENDING  # a failure says why
    assert staff.post(page, {"form": "review", "candidate": c.pk, "result": "passed"}).status_code == 302
    assert staff.post(f"{page}review/", {"version": VillageElection.objects.get().version}).status_code == 302
    secretary = _client(town.secretary)
    assert secretary.post(page, {"form": "candidate", "name": "x"}).status_code == 404  # not offered
    done = secretary.post(
        page, {"form": "results", "held_on": _today().isoformat(), f"post_{c.pk}": "director"}
    )
    assert done.status_code == 302 and VillageElection.objects.get().held_on == _today()
    secretary.post(f"{page}report/", {})
    staff.post(f"{page}file/", {})
    assert VillageElection.objects.get().state == S.FILED


def test_the_api(town: World, api: Any) -> None:
    year = _today().year
    body = {"organization": town.branch.code, "year": year, "planned_on": _today().isoformat()}
    assert api("outsider").post("/api/v1/village-elections/", body).status_code == 400  # not in reach
    made = api("township_staff").post("/api/v1/village-elections/", body)
    assert made.status_code == 201 and made.data["state"] == "planned"
    one = f"/api/v1/village-elections/{made.data['id']}/"
    assert api("member_user").get(one).status_code == 404
    assert api("outsider").post(f"{one}file/", {"note": "x" * 500}).status_code == 404
    number = _id()
    added = api("township_staff").post(
        f"{one}candidates/", {"name": "刘洋", "id_number": number, "post": "director"}
    )
    assert added.status_code == 201 and added.data["candidates"][0]["id_number"] != number
    assert (
        api("township_staff")
        .post(f"{one}candidates/", {"name": "刘洋", "id_number": number, "post": "director"})
        .status_code
        == 400
    )
    cid = added.data["candidates"][0]["id"]
    seats = {"held_on": _today().isoformat(), "elected": [{"candidate": cid, "post": "director"}]}
    assert api("secretary").post(f"{one}results/", seats).status_code == 400  # before the review
    assert (
        api("township_staff")
        .post(f"{one}review-candidate/", {"candidate": cid, "result": "passed"})
        .status_code
        == 200
    )
    assert api("township_staff").post(f"{one}review/", {"version": 99}).status_code == 409
    assert api("township_staff").post(f"{one}review/", {}).data["state"] == "reviewed"
    assert api("secretary").post(f"{one}results/", seats).status_code == 200
    assert api("secretary").post(f"{one}report/", {}).data["state"] == "elected"
    assert api("secretary").post(f"{one}file/", {}).status_code == 400
    filed = api("county_staff").post(f"{one}file/", {})
    assert filed.status_code == 200 and filed.data["state"] == "filed" and filed.data["filed_on"]
    listed = api("county_staff").get(f"/api/v1/village-elections/?year={year}&org={town.township.code}")
    assert [r["id"] for r in listed.data["results"]] == [made.data["id"]]
    assert api("member_user").get("/api/v1/village-elections/").data["results"] == []


def _status(org_id: int) -> str:
    return Result.objects.get(rule__code="village-elections", organization_id=org_id, year=2017).status


def test_the_rule_filed_by_30_june_is_met_1_july_is_not(town: World) -> None:
    load(HUNAN.read_text())
    e = VillageElection.objects.create(
        organization=town.branch, township=town.township, year=2017, planned_on=date(2017, 5, 20)
    )
    engine.recompute(2017, today=date(2017, 5, 31))
    assert _status(town.township.pk) == Status.MET
    engine.recompute(2017, today=date(2017, 6, 1))
    assert _status(town.township.pk) == Status.AT_RISK  # June, not yet filed
    engine.recompute(2017, today=date(2017, 7, 1))
    assert _status(town.township.pk) == Status.OVERDUE
    VillageElection.objects.filter(pk=e.pk).update(state=S.FILED, filed_on=date(2017, 6, 30))
    engine.recompute(2017, today=date(2017, 7, 1))
    assert _status(town.township.pk) == Status.MET
    VillageElection.objects.filter(pk=e.pk).update(filed_on=date(2017, 7, 1))
    engine.recompute(2017, today=date(2018, 1, 10))
    assert _status(town.township.pk) == Status.OVERDUE
