"""A term change from request to confirmation: who may take each step, what bad input is refused,
and what confirming writes to the organization and its members."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.elections import services
from dangjian.elections.models import TermChange, TermChangeState
from dangjian.elections.services import Seat
from dangjian.elections.workflows import TERM_FLOW
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_member, make_user

S = TermChangeState


def _request(world: World, user: Any = None, **data: Any) -> TermChange:
    return services.request_term_change(
        world.branch,
        {
            "planned_on": timezone.localdate() + timedelta(days=20),
            "seats": 3,
            "plan": "候选人：张伟、李娜",
            **data,
        },
        acting_user=user or world.secretary,
    )


def _approved(world: World) -> TermChange:
    return services.approve(_request(world), acting_user=world.county_staff)


def _reload(tc: TermChange) -> TermChange:
    return TermChange.objects.get(pk=tc.pk)


def test_the_whole_flow_writes_the_new_term_and_committee(world: World) -> None:
    make_member(world.branch, "赵强", committee_post="secretary")  # the outgoing secretary
    third = make_member(world.branch, "周敏")
    tc = _approved(world)
    today = timezone.localdate()
    seats = [
        Seat(world.member.pk, "secretary", 25),
        Seat(world.member2.pk, "deputy_secretary", 24),
        Seat(third.pk, "committee_member"),
    ]
    services.record_results(tc, today, seats, acting_user=world.secretary)
    services.report(tc, acting_user=world.secretary)
    services.confirm(tc, acting_user=world.county_staff)
    tc = _reload(tc)
    assert tc.state == S.CONFIRMED
    branch = Organization.objects.get(pk=world.branch.pk)
    # A community branch serves five years (village and community terms follow their committees).
    assert branch.term_start == today and branch.term_due_end == date(today.year + 5, today.month, today.day)
    assert (tc.term_start, tc.term_due_end) == (branch.term_start, branch.term_due_end)
    posts = dict(Member.objects.filter(organization=world.branch).values_list("name", "committee_post"))
    assert posts == {"张伟": "secretary", "李娜": "deputy_secretary", "周敏": "committee_member", "赵强": ""}
    assert [s.move for s in StateChange.of_many(TermChange, [tc.pk])] == [
        "create",
        "approve",
        "report",
        "confirm",
    ]
    assert AuditEntry.objects.filter(action="organization.term", success=True).count() == 1
    assert AuditEntry.objects.filter(action="member.update", success=True).count() == 4


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("secretary", "ok"),
        ("county_staff", "ok"),  # the level above may file for the branch
        ("province_staff", "ok"),
        ("member_user", "404"),
        ("outsider", "404"),
        ("auditor", "404"),
    ],
)
def test_who_may_request(world: World, persona: str, outcome: str) -> None:
    if outcome == "404":
        with pytest.raises(OutOfScope):
            _request(world, getattr(world, persona))
        assert not TermChange.objects.exists()
    else:
        assert _request(world, getattr(world, persona)).state == S.REQUESTED


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("county_staff", "ok"),  # the township's level: the county's grant covers it
        ("province_staff", "ok"),
        ("secretary", "actor"),  # the branch itself, not one level up
        ("member_user", "404"),
        ("outsider", "404"),
    ],
)
def test_who_may_approve(world: World, persona: str, outcome: str) -> None:
    tc = _request(world)
    user = getattr(world, persona)
    if outcome == "404":
        with pytest.raises(OutOfScope):
            services.approve(tc, acting_user=user)
    elif outcome == "ok":
        assert services.approve(tc, acting_user=user).state == S.APPROVED
        return
    else:
        with pytest.raises(ValidationError) as exc:
            services.approve(tc, acting_user=user)
        assert exc.value.code == outcome
    assert _reload(tc).state == S.REQUESTED


def test_not_the_requester_nor_anyone_inside_decides(world: World) -> None:
    tc = _request(world, world.county_staff)
    with pytest.raises(ValidationError) as exc:
        services.approve(tc, acting_user=world.county_staff)
    assert exc.value.code == "excluded"
    # A township officer who is also the branch's secretary does not judge the branch's case.
    both = make_user("both", Role.SECRETARY, world.branch)
    both.grants.create(role=Role.COMMITTEE_STAFF, organization=world.township)
    both = type(both).objects.get(pk=both.pk)
    with pytest.raises(ValidationError) as exc:
        services.approve(tc, acting_user=both)
    assert exc.value.code == "excluded"
    assert TERM_FLOW.allowed(world.province_staff, tc)[0].name == "approve"
    services.approve(tc, acting_user=world.province_staff)
    services.record_results(
        tc, timezone.localdate(), [Seat(world.member.pk, "secretary")], acting_user=world.county_staff
    )
    services.report(tc, acting_user=world.county_staff)
    with pytest.raises(ValidationError) as exc:  # whoever reported does not confirm
        services.confirm(tc, acting_user=world.county_staff)
    assert exc.value.code == "excluded"
    assert services.confirm(tc, acting_user=world.province_staff).state == S.CONFIRMED


def test_a_stale_move_changes_nothing(world: World) -> None:
    tc = _request(world)
    with pytest.raises(ValidationError) as exc:
        services.approve(tc, acting_user=world.county_staff, expected_version=tc.version - 1)
    assert exc.value.code == "stale"
    with pytest.raises(ValidationError) as exc:
        services.update_request(
            tc, {"seats": 5}, acting_user=world.secretary, expected_version=tc.version - 1
        )
    assert exc.value.code == "stale"
    assert _reload(tc).seats == 3 and _reload(tc).state == S.REQUESTED


def test_bad_requests_are_refused_and_one_is_under_way_at_a_time(world: World) -> None:
    for data, field in (
        ({"planned_on": timezone.localdate() - timedelta(days=1)}, "planned_on"),
        ({"planned_on": "2026-13-01"}, "planned_on"),
        ({"seats": 0}, "seats"),
        ({"seats": "x"}, "seats"),
        ({"plan": " "}, "plan"),
        ({"plan": "长" * 2001}, "plan"),
    ):
        with pytest.raises(ValidationError) as exc:
            _request(world, **data)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError):  # the province has no committee above
        services.request_term_change(
            world.province,
            {"planned_on": timezone.localdate(), "seats": 9, "plan": "x"},
            acting_user=world.province_staff,
        )
    tc = _request(world)
    with pytest.raises(ValidationError) as exc:
        _request(world)
    assert exc.value.code == "open"
    services.withdraw(tc, note="推迟", acting_user=world.secretary)
    assert _request(world).state == S.REQUESTED  # a withdrawn one no longer counts


def test_returned_corrected_and_filed_again(world: World) -> None:
    tc = _request(world)
    with pytest.raises(ValidationError):  # returning needs what must change
        services.return_request(tc, acting_user=world.county_staff)
    services.return_request(tc, note="委员名额应为5名", acting_user=world.county_staff)
    services.update_request(tc, {"seats": 5}, acting_user=world.secretary)
    services.resubmit(tc, acting_user=world.secretary)
    tc = services.approve(tc, acting_user=world.county_staff)
    assert tc.seats == 5
    with pytest.raises(ValidationError) as exc:  # approved: no more corrections
        services.update_request(tc, {"seats": 7}, acting_user=world.secretary)
    assert exc.value.code == "state"


def test_bad_results_are_refused(world: World) -> None:
    tc = _approved(world)
    today = timezone.localdate()
    probationary = make_member(world.branch, "钱新", category="probationary", full_date=None)
    other = world.member_b
    cases = [
        (today + timedelta(days=1), [Seat(world.member.pk, "secretary")], "held_on"),
        (today - timedelta(days=1), [Seat(world.member.pk, "secretary")], "held_on"),  # before approval
        (today, [], "elected"),
        (today, [Seat(world.member.pk, "committee_member")], "elected"),  # no secretary
        (today, [Seat(world.member.pk, "secretary"), Seat(world.member2.pk, "secretary")], "elected"),
        (today, [Seat(world.member.pk, "secretary"), Seat(world.member.pk, "committee_member")], "elected"),
        (today, [Seat(world.member.pk, "secretary"), Seat(probationary.pk, "committee_member")], "elected"),
        (today, [Seat(world.member.pk, "secretary"), Seat(other.pk, "committee_member")], "elected"),
        (today, [Seat(world.member.pk, "secretary", -1)], "elected"),
    ]
    for held_on, seats, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.record_results(tc, held_on, seats, acting_user=world.secretary)
        assert field in exc.value.message_dict, (held_on, seats)
    too_many = [
        Seat(m.pk, "committee_member") for m in (make_member(world.branch, f"委员{i}") for i in range(3))
    ]
    with pytest.raises(ValidationError):  # four elected to three seats
        services.record_results(
            tc, today, [Seat(world.member.pk, "secretary"), *too_many], acting_user=world.secretary
        )
    with pytest.raises(ValidationError):  # nothing recorded: nothing to report
        services.report(tc, acting_user=world.secretary)
    assert not tc.elected.exists() and _reload(tc).state == S.APPROVED


def test_returned_results_are_corrected_and_reported_again(world: World) -> None:
    tc = _approved(world)
    services.record_results(
        tc, timezone.localdate(), [Seat(world.member.pk, "secretary")], acting_user=world.secretary
    )
    services.report(tc, acting_user=world.secretary)
    services.return_results(tc, note="票数有误", acting_user=world.county_staff)
    assert _reload(tc).state == S.APPROVED
    services.record_results(
        tc, timezone.localdate(), [Seat(world.member2.pk, "secretary", 30)], acting_user=world.secretary
    )
    assert list(_reload(tc).elected.values_list("member_id", "votes")) == [(world.member2.pk, 30)]


def _client(user: Any) -> Client:
    """Signed in, reading English (the assertions compare English words)."""
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_pages_request_approve_and_results(world: World) -> None:
    secretary, county = _client(world.secretary), _client(world.county_staff)
    page = secretary.get(f"/orgs/{world.branch.pk}/term-changes/")
    assert page.status_code == 200 and "request-form" in page.content.decode()
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = secretary.post(
        f"/orgs/{world.branch.pk}/term-changes/", {"planned_on": day, "seats": "2", "plan": "候选人"}
    )
    tc = TermChange.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/term-changes/{tc.pk}/"
    # The secretary is offered no decision; the county is.
    mine = secretary.get(f"/term-changes/{tc.pk}/").content.decode()
    assert f"/term-changes/{tc.pk}/withdraw/" in mine and f"/term-changes/{tc.pk}/approve/" not in mine
    assert f"/term-changes/{tc.pk}/approve/" in county.get(f"/term-changes/{tc.pk}/").content.decode()
    county.post(f"/term-changes/{tc.pk}/approve/", {"version": tc.version})
    assert _reload(tc).state == S.APPROVED
    page = secretary.get(f"/term-changes/{tc.pk}/").content.decode()
    assert "results-form" in page
    secretary.post(
        f"/term-changes/{tc.pk}/",
        {
            "form": "results",
            "version": _reload(tc).version,
            "held_on": timezone.localdate().isoformat(),
            "member_0": world.member.pk,
            "post_0": "secretary",
            "votes_0": "12",
            "member_1": "",
            "post_1": "committee_member",
        },
    )
    assert list(_reload(tc).elected.values_list("member_id", "post")) == [(world.member.pk, "secretary")]
    secretary.post(f"/term-changes/{tc.pk}/report/", {"version": _reload(tc).version})
    county.post(f"/term-changes/{tc.pk}/confirm/", {"version": _reload(tc).version})
    assert _reload(tc).state == S.CONFIRMED
    assert Organization.objects.get(pk=world.branch.pk).term_start == timezone.localdate()
    # The county sees the branch below it; outsiders see nothing.
    below = county.get(f"/orgs/{world.township.pk}/term-changes/").content.decode()
    assert "terms-below" in below
    assert _client(world.outsider).get(f"/term-changes/{tc.pk}/").status_code == 404
    assert _client(world.outsider).post(f"/term-changes/{tc.pk}/withdraw/", {"note": "x"}).status_code == 404


def test_the_committee_sees_terms_ending_below(world: World) -> None:
    soon = timezone.localdate() + timedelta(days=40)
    Organization.objects.filter(pk=world.branch2.pk).update(term_due_end=soon)
    Organization.objects.filter(pk=world.branch.pk).update(
        term_due_end=timezone.localdate() - timedelta(days=1)
    )
    Organization.objects.filter(pk=world.branch_b.pk).update(term_due_end=soon)  # another county
    _request(world)
    page = _client(world.county_staff).get(f"/orgs/{world.county.pk}/term-changes/").content.decode()
    table = page.split('id="terms-below"')[1]
    assert table.index("第一党支部") < table.index("第二党支部")  # the overdue one first
    assert "坡子街党支部" not in table


def test_the_committee_home_counts_term_changes_to_decide(world: World) -> None:
    tc = _request(world)
    home = _client(world.county_staff).get("/").content.decode()
    assert "Term changes to decide" in home and f"/orgs/{world.county.pk}/term-changes/" in home
    services.approve(tc, acting_user=world.county_staff)
    assert "Term changes to decide" not in _client(world.county_staff).get("/").content.decode()


def test_a_member_gone_before_confirmation_is_not_written_elsewhere(world: World) -> None:
    tc = _approved(world)
    seats = [Seat(world.member.pk, "secretary"), Seat(world.member2.pk, "committee_member")]
    services.record_results(tc, timezone.localdate(), seats, acting_user=world.secretary)
    services.report(tc, acting_user=world.secretary)
    Member.objects.filter(pk=world.member2.pk).update(organization=world.branch2)  # transferred meanwhile
    with pytest.raises(ValidationError) as exc:
        services.confirm(tc, acting_user=world.county_staff)
    assert "李娜" in exc.value.messages[0]
    assert Member.objects.get(pk=world.member2.pk).committee_post == ""
    assert _reload(tc).state == S.ELECTED
    services.return_results(tc, note="李娜已转出", acting_user=world.county_staff)
    services.record_results(tc, timezone.localdate(), seats[:1], acting_user=world.secretary)
    services.report(tc, acting_user=world.secretary)
    assert services.confirm(tc, acting_user=world.county_staff).state == S.CONFIRMED
