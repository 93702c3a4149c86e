"""The pages: the 投票 section of the 支部 tab, the ballot, results after closing, management, scope."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.polls.models import Ballot, Poll, PollStatus, VoterMark
from dangjian.polls.services import cast_vote, close_poll
from dangjian.testing.world import World, make_user

from .helpers import add_voters, make_poll, option_ids

pytestmark = pytest.mark.django_db


def login(user: object) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_member_votes_from_the_branch_tab_once(world: World) -> None:
    poll = make_poll(world)
    member = login(world.member_user)
    space = member.get("/my/branch/").content.decode()
    assert poll.title in space and f"/polls/{poll.pk}/" in space and "0 of 2 voted (0%)" in space
    page = member.get(f"/polls/{poll.pk}/").content.decode()
    assert 'type="radio"' in page and 'id="ballot"' in page
    ids = option_ids(poll)
    response = member.post(f"/polls/{poll.pk}/vote/", {"options": [ids[0]]}, follow=True)
    body = response.content.decode()
    assert "Your vote was recorded" in body and 'id="ballot"' not in body and 'id="poll-voted"' in body
    assert "1 of 2 voted (50%)" in body
    again = member.post(f"/polls/{poll.pk}/vote/", {"options": [ids[1]]}, follow=True).content.decode()
    assert "already voted" in again
    assert Ballot.objects.count() == 1
    space = member.get("/my/branch/").content.decode()
    assert "Voted" in space  # the 已投 marker


def test_open_polls_come_first_in_the_branch_tab(world: World) -> None:
    closed = make_poll(world, title="已结束的投票")
    close_poll(closed, acting_user=world.secretary)
    make_poll(world, title="正在进行的投票")
    make_poll(world, title="草稿投票", opened=False)
    body = login(world.member_user).get("/my/branch/").content.decode()
    assert body.index("正在进行的投票") < body.index("已结束的投票")
    assert "草稿投票" not in body  # drafts stay with the secretary


def test_multiple_choice_uses_checkboxes_and_too_many_is_refused(world: World) -> None:
    poll = make_poll(world, kind="multiple", max_choices=2)
    member = login(world.member_user)
    assert 'type="checkbox"' in member.get(f"/polls/{poll.pk}/").content.decode()
    body = member.post(f"/polls/{poll.pk}/vote/", {"options": option_ids(poll)}, follow=True).content.decode()
    assert "Choose at most 2 options." in body
    assert not Ballot.objects.exists() and not VoterMark.objects.exists()


def test_results_are_hidden_until_the_poll_closes(world: World) -> None:
    poll = make_poll(world)
    cast_vote(poll, option_ids(poll)[1:2], acting_user=world.member_user)
    for persona in ("secretary", "member_user", "county_staff"):
        response = login(world.users[persona]).get(f"/polls/{poll.pk}/results/")
        assert response.status_code == 302 and response["Location"] == f"/polls/{poll.pk}/"
    detail = login(world.secretary).get(f"/polls/{poll.pk}/").content.decode()
    assert "See the results" not in detail and "1 of 2 voted (50%)" in detail
    close_poll(poll, acting_user=world.secretary)
    page = login(world.member_user).get(f"/polls/{poll.pk}/results/").content.decode()
    assert "<progress" in page and "社区党群服务中心" in page
    assert "1 vote · 100%" in page and "0 votes · 0%" in page  # numbers in text, not only bars


def test_a_poll_past_its_deadline_closes_when_read(world: World) -> None:
    poll = make_poll(world)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    member = login(world.member_user)
    body = member.post(
        f"/polls/{poll.pk}/vote/", {"options": option_ids(poll)[:1]}, follow=True
    ).content.decode()
    assert "not open" in body or "has closed" in body
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.CLOSED
    assert member.get(f"/polls/{poll.pk}/results/").status_code == 200
    assert not Ballot.objects.exists()


def test_a_probationary_member_sees_the_poll_but_cannot_vote(world: World) -> None:
    users = add_voters(world)
    poll = make_poll(world)
    client = login(users["probationer"])
    page = client.get(f"/polls/{poll.pk}/").content.decode()
    assert 'id="ballot"' not in page and 'id="poll-not-voter"' in page
    body = client.post(
        f"/polls/{poll.pk}/vote/", {"options": option_ids(poll)[:1]}, follow=True
    ).content.decode()
    assert "not among the voters" in body
    assert not Ballot.objects.exists()
    assert AuditEntry.objects.filter(action="poll.vote", success=False, actor_name="probationer").exists()


def test_the_secretary_creates_opens_and_closes_a_poll(world: World) -> None:
    secretary = login(world.secretary)
    assert "New poll" in secretary.get(f"/orgs/{world.branch.pk}/polls/").content.decode()
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "支部书记候选人推荐",
        "options": "甲\n乙\n丙",
        "kind": "multiple",
        "max_choices": "2",
        "anonymous": "on",
        "electorate": "branch",
        "closes_at": closes,
    }
    response = secretary.post(f"/orgs/{world.branch.pk}/polls/new/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    poll = Poll.objects.get()
    assert poll.status == PollStatus.DRAFT and poll.max_choices == 2 and poll.anonymous
    assert secretary.post(f"/polls/{poll.pk}/open/").status_code == 302
    assert Poll.objects.get().status == PollStatus.OPEN
    assert secretary.post(f"/polls/{poll.pk}/close/").status_code == 302
    assert Poll.objects.get().status == PollStatus.CLOSED
    bad = secretary.post(f"/orgs/{world.branch.pk}/polls/new/", data | {"options": "只有一个"})
    assert "at least two different options" in bad.content.decode()
    assert Poll.objects.count() == 1


def test_committee_staff_read_but_do_not_run_the_branch_polls(world: World) -> None:
    draft = make_poll(world, opened=False)
    staff = login(world.county_staff)
    assert staff.get(f"/orgs/{world.branch.pk}/polls/").status_code == 200
    assert staff.get(f"/polls/{draft.pk}/").status_code == 200
    assert staff.get(f"/orgs/{world.branch.pk}/polls/new/").status_code == 404
    assert staff.post(f"/polls/{draft.pk}/open/").status_code == 404
    assert Poll.objects.get().status == PollStatus.DRAFT
    assert 'id="poll-manage"' not in staff.get(f"/polls/{draft.pk}/").content.decode()


@pytest.mark.parametrize("url", ["/polls/{pk}/", "/polls/{pk}/results/", "/orgs/{branch}/polls/new/"])
def test_outsiders_get_404(world: World, url: str) -> None:
    poll = make_poll(world)
    close_poll(poll, acting_user=world.secretary)
    other_member = make_user("member_b", Role.MEMBER, world.branch_b, member=world.member_b)
    target = url.format(pk=poll.pk, branch=world.branch.pk)
    for user in (world.outsider, other_member, world.auditor, world.secadmin):
        assert login(user).get(target).status_code == 404, (user, target)
    for action in ("vote", "open", "close", "cancel"):
        assert login(world.outsider).post(f"/polls/{poll.pk}/{action}/").status_code == 404


def test_a_members_draft_is_unseen(world: World) -> None:
    draft = make_poll(world, opened=False)
    assert login(world.member_user).get(f"/polls/{draft.pk}/").status_code == 404


def test_the_branch_tab_queries_do_not_grow_with_polls(
    world: World, django_assert_max_num_queries: Any
) -> None:
    make_poll(world)
    member = login(world.member_user)
    member.get("/my/branch/")
    with django_assert_max_num_queries(30) as few:
        member.get("/my/branch/")
    for i in range(4):
        make_poll(world, title=f"投票{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        member.get("/my/branch/")
