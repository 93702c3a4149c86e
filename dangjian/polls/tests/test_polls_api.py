"""The polls API: create, open, vote once, results only after closing, scope."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.polls.models import Ballot, PollStatus, VoterMark
from dangjian.testing.world import World, make_user

from .helpers import make_poll, option_ids

Api = Callable[[str], APIClient]
POLLS = "/api/v1/polls/"


def _create(api: Api, world: World, **extra: object) -> dict:
    body = {
        "organization": world.branch.code,
        "title": "学习时间安排",
        "kind": "multiple",
        "max_choices": 2,
        "options": ["周一晚", "周三晚", "周六上午"],
        "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
        **extra,
    }
    response = api("secretary").post(POLLS, body)
    assert response.status_code == 201, response.data
    return dict(response.data)


def test_the_lifecycle_through_the_api(api: Api, world: World) -> None:
    created = _create(api, world)
    assert created["status"] == "draft" and created["anonymous"] is True
    assert [o["label"] for o in created["options"]] == ["周一晚", "周三晚", "周六上午"]
    pk = created["id"]
    assert api("member_user").get(f"{POLLS}{pk}/").status_code == 404  # a draft is the secretary's
    opened = api("secretary").post(f"{POLLS}{pk}/open/")
    assert opened.status_code == 200 and opened.data["eligible_count"] == 2
    member = api("member_user")
    ids = [o["id"] for o in opened.data["options"]]
    voted = member.post(f"{POLLS}{pk}/vote/", {"options": ids[:2]})
    assert voted.status_code == 200, voted.data
    assert voted.data == {"voted": True, "voted_count": 1, "eligible_count": 2}
    again = member.post(f"{POLLS}{pk}/vote/", {"options": ids[:1]})
    assert again.status_code == 400 and "already voted" in str(again.data)
    hidden = member.get(f"{POLLS}{pk}/results/")
    assert hidden.status_code == 400 and "once the poll closes" in str(hidden.data)
    assert api("secretary").get(f"{POLLS}{pk}/results/").status_code == 400
    assert member.get(f"{POLLS}{pk}/").data["voted_count"] == 1
    assert api("secretary").post(f"{POLLS}{pk}/close/").data["status"] == "closed"
    results = member.get(f"{POLLS}{pk}/results/")
    assert results.status_code == 200
    assert results.data["turnout_percent"] == 50
    assert [(r["label"], r["votes"]) for r in results.data["rows"]] == [
        ("周一晚", 1),
        ("周三晚", 1),
        ("周六上午", 0),
    ]


def test_too_many_choices_and_outsiders_refused(api: Api, world: World) -> None:
    poll = make_poll(world, kind="multiple", max_choices=2)
    ids = option_ids(poll)
    too_many = api("member_user").post(f"{POLLS}{poll.pk}/vote/", {"options": ids})
    assert too_many.status_code == 400 and "at most 2" in str(too_many.data)
    for persona in ("outsider", "auditor", "secadmin"):
        client = api(persona)
        assert client.get(f"{POLLS}{poll.pk}/").status_code == 404
        assert client.post(f"{POLLS}{poll.pk}/vote/", {"options": ids[:1]}).status_code == 404
        assert client.get(f"{POLLS}{poll.pk}/results/").status_code == 404
        assert poll.pk not in [p["id"] for p in client.get(POLLS).data["results"]]
    assert not Ballot.objects.exists() and not VoterMark.objects.exists()


def test_a_member_of_another_branch_sees_nothing(api: Api, world: World) -> None:
    poll = make_poll(world)
    make_user("member_b", Role.MEMBER, world.branch_b, member=world.member_b)
    from dangjian.testing.api import english_client

    client = english_client()
    client.default_format = "json"  # type: ignore[attr-defined]
    from dangjian.accounts.models import User

    client.force_authenticate(user=User.objects.get(username="member_b"))
    assert client.get(f"{POLLS}{poll.pk}/").status_code == 404
    assert client.get(POLLS).data["results"] == []


def test_committee_staff_read_but_cannot_open(api: Api, world: World) -> None:
    draft = make_poll(world, opened=False)
    staff = api("county_staff")
    assert staff.get(f"{POLLS}{draft.pk}/").status_code == 200
    assert staff.post(f"{POLLS}{draft.pk}/open/").status_code == 404
    assert staff.get(f"{POLLS}{draft.pk}/").data["status"] == PollStatus.DRAFT
    assert AuditEntry.objects.filter(action="poll.open", success=False).exists()
    refused = api("secretary").post(POLLS, {"organization": world.county.code, "title": "x"})
    assert refused.status_code == 400  # options and deadline missing
