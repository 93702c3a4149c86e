"""Notices on the workflow kernel: sending and withdrawing per persona (the sending
organization and the levels above; members and other branches not), history on the notice's
page, stale moves refused on the page and 409 in the API."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import StateChange
from dangjian.notices import services
from dangjian.notices.models import Notice, NoticeState
from dangjian.notices.workflows import NOTICE_FLOW
from dangjian.testing.world import World

Api = Callable[[str], APIClient]


def _draft(world: World) -> Notice:
    data = {"title": "关于开展主题党日的通知", "body": "<p>请按时参加。</p>"}
    return services.create_notice(world.branch, data, acting_user=world.secretary)


def _outcome(notice: Notice, name: str, user: Any) -> str:
    try:
        with transaction.atomic():
            NOTICE_FLOW.move(notice, name, acting_user=user)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def test_who_sends_and_withdraws(world: World) -> None:
    notice = _draft(world)
    who = {
        "secretary": "ok",
        "county_staff": "ok",  # a level above
        "member_user": "404",  # reads its branch's notices once sent, changes none
        "outsider": "404",
        "auditor": "404",
    }
    for persona, outcome in who.items():
        assert (persona, _outcome(notice, "send", world.users[persona])) == (persona, outcome)
    assert _outcome(notice, "withdraw", world.secretary) == "transition"
    sent = services.send_notice(notice, acting_user=world.secretary, expected_version=1)
    for persona, outcome in who.items():
        assert (persona, _outcome(sent, "withdraw", world.users[persona])) == (persona, outcome)
    services.withdraw_notice(sent, acting_user=world.county_staff)
    steps = list(StateChange.of(notice).values_list("move", "target", "actor_name"))
    assert steps == [
        ("create", "draft", "secretary"),
        ("send", "sent", "secretary"),
        ("withdraw", "withdrawn", "county_staff"),
    ]


def test_the_page_shows_history_and_refuses_a_stale_send(world: World) -> None:
    notice = _draft(world)
    client = Client()
    client.force_login(world.secretary)
    base = f"/orgs/{world.branch.pk}/notices/{notice.pk}/"
    client.post(f"{base}send/", {"version": "7"})
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.DRAFT
    client.post(f"{base}send/", {"version": "1"})
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.SENT
    assert "dj-steps" in client.get(base).content.decode()


def test_the_api_answers_409_to_a_stale_move(world: World, api: Api) -> None:
    notice = _draft(world)
    url = f"/api/v1/notices/{notice.pk}/send/"
    stale = api("secretary").post(url, {"version": 2})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    done = api("secretary").post(url, {"version": 1})
    assert done.status_code == 200 and done.json()["version"] == 2 and done.json()["state"] == "sent"
