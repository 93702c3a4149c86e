"""Correcting a draft poll before it opens (page and API); an open poll stays as it was opened."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.polls.models import Poll, PollStatus
from dangjian.testing.world import World

from .helpers import make_poll

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]


def _login(user: object) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _form(**extra: str) -> dict[str, str]:
    closes = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "支部活动时间",
        "options": "周六上午\n周日下午",
        "kind": "single",
        "electorate": "branch",
        "closes_at": closes,
        "anonymous": "on",
        **extra,
    }


def _labels(poll: Poll) -> list[str]:
    return list(poll.options.order_by("position").values_list("label", flat=True))


def test_the_secretary_corrects_a_draft_on_its_page(world: World) -> None:
    poll = make_poll(world, opened=False)
    client = _login(world.secretary)
    detail = client.get(f"/polls/{poll.pk}/").content.decode()
    assert f'href="/polls/{poll.pk}/edit/"' in detail
    form = client.get(f"/polls/{poll.pk}/edit/").content.decode()
    assert "红色教育基地" in form and "支部活动地点" in form  # the draft's own values, to correct
    response = client.post(f"/polls/{poll.pk}/edit/", _form(), follow=True)
    assert "Draft saved" in response.content.decode()
    poll.refresh_from_db()
    assert poll.title == "支部活动时间" and _labels(poll) == ["周六上午", "周日下午"]
    entry = AuditEntry.objects.get(action="poll.update")
    assert entry.changes["title"] == ["支部活动地点", "支部活动时间"]
    assert entry.changes["options"][1] == ["周六上午", "周日下午"]


def test_a_wrong_correction_changes_nothing(world: World) -> None:
    poll = make_poll(world, opened=False)
    client = _login(world.secretary)
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(f"/polls/{poll.pk}/edit/", _form(options="只有一个", closes_at=past)).content.decode()
    assert "at least two different options" in page and "Voting must close in the future" in page
    poll.refresh_from_db()
    assert poll.title == "支部活动地点" and len(_labels(poll)) == 3
    assert not AuditEntry.objects.filter(action="poll.update", success=True).exists()


def test_an_open_poll_cannot_be_edited(world: World, api: Api) -> None:
    poll = make_poll(world)  # opened
    assert _login(world.secretary).get(f"/polls/{poll.pk}/edit/").status_code == 404
    body = {
        "title": "改了",
        "options": ["甲", "乙"],
        "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    response = api("secretary").put(f"/api/v1/polls/{poll.pk}/", body)
    assert response.status_code == 400 and "only a draft" in str(response.data)
    poll.refresh_from_db()
    assert poll.title == "支部活动地点" and poll.status == PollStatus.OPEN
    assert AuditEntry.objects.filter(action="poll.update", success=False).exists()


def test_only_the_branch_manager_edits(world: World, api: Api) -> None:
    poll = make_poll(world, opened=False)
    for persona in ("member_user", "county_staff", "outsider"):
        assert _login(world.users[persona]).get(f"/polls/{poll.pk}/edit/").status_code == 404, persona
        body = {
            "title": "改了",
            "options": ["甲", "乙"],
            "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
        }
        assert api(persona).put(f"/api/v1/polls/{poll.pk}/", body).status_code in (403, 404), persona
    poll.refresh_from_db()
    assert poll.title == "支部活动地点"


def test_the_api_corrects_a_draft(world: World, api: Api) -> None:
    poll = make_poll(world, opened=False)
    body = {
        "title": "学习时间",
        "kind": "multiple",
        "max_choices": 2,
        "options": ["周一晚", "周三晚", "周六上午"],
        "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    response = api("secretary").put(f"/api/v1/polls/{poll.pk}/", body)
    assert response.status_code == 200, response.data
    assert response.data["title"] == "学习时间" and response.data["max_choices"] == 2
    assert [o["label"] for o in response.data["options"]] == ["周一晚", "周三晚", "周六上午"]
    assert api("secretary").put(f"/api/v1/polls/{poll.pk}/", {**body, "organization": "x"}).status_code == 400
