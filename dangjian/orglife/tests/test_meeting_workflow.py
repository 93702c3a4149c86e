"""Meetings on the workflow kernel: who may close and cancel (the branch's officers and the
committees above it; members and other organizations not, and they are not told the meeting
exists), stale moves refused, and the history the meeting's page shows."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.orglife.services import cancel_meeting, close_meeting, record_attendance, schedule_meeting
from dangjian.orglife.workflows import MEETING_FLOW
from dangjian.testing.world import World

from .helpers import client_for, past_meeting

Api = Callable[[str], APIClient]
MAY = {"secretary": True, "county_staff": True, "member_user": False, "outsider": False}


def _recorded(world: World) -> Meeting:
    """Ended, everyone present: ready to close."""
    m = past_meeting(world)
    entries = [{"attendance": a.pk, "status": "present"} for a in m.attendances.all()]
    record_attendance(m, entries, acting_user=world.secretary)
    return Meeting.objects.get(pk=m.pk)


def _ahead(world: World) -> Meeting:
    start = timezone.now() + timedelta(days=3)
    data = {
        "kind": "branch_assembly",
        "topic": "主题党日",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def _outcome(meeting: Meeting, name: str, user: Any) -> str:
    try:
        with transaction.atomic():
            MEETING_FLOW.move(meeting, name, acting_user=user, note="改期")
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def test_the_state_table() -> None:
    assert MEETING_FLOW.table() == {
        MeetingStatus.PLANNED: {MeetingStatus.CLOSED, MeetingStatus.CANCELLED},
        MeetingStatus.CLOSED: set(),
        MeetingStatus.CANCELLED: set(),
    }


def test_who_closes_and_cancels(world: World) -> None:
    ready, ahead = _recorded(world), _ahead(world)
    for persona, may in MAY.items():
        expected = "ok" if may else "404"
        assert (persona, _outcome(ready, "close", world.users[persona])) == (persona, expected)
        assert (persona, _outcome(ahead, "cancel", world.users[persona])) == (persona, expected)
    assert Meeting.objects.get(pk=ready.pk).status == Meeting.objects.get(pk=ahead.pk).status == "planned"


@pytest.mark.parametrize("persona", list(MAY))
def test_closing_on_the_page_per_persona(world: World, persona: str) -> None:
    m = _recorded(world)
    response = client_for(world.users[persona]).post(f"/meetings/{m.pk}/close/", {"version": m.version})
    m.refresh_from_db()
    if MAY[persona]:
        assert response.status_code == 302 and m.status == "closed" and m.closed_at is not None
        step = StateChange.of(m).get(move="close")
        assert (step.source, step.target, step.actor_id) == ("planned", "closed", world.users[persona].pk)
        assert (
            AuditEntry.objects.filter(action="meeting.close", object_id=str(m.pk), success=True).count() == 1
        )
    else:
        assert response.status_code == 404 and m.status == "planned" and m.closed_at is None
        assert not StateChange.of(m).filter(move="close").exists()


@pytest.mark.parametrize("persona", list(MAY))
def test_cancelling_on_the_page_per_persona(world: World, persona: str) -> None:
    m = _ahead(world)
    response = client_for(world.users[persona]).post(
        f"/meetings/{m.pk}/cancel/", {"reason": "书记出差", "version": m.version}
    )
    m.refresh_from_db()
    if MAY[persona]:
        assert response.status_code == 302 and m.status == "cancelled" and m.cancel_reason == "书记出差"
        step = StateChange.of(m).get(move="cancel")
        assert (step.target, step.note, step.actor_id) == ("cancelled", "书记出差", world.users[persona].pk)
    else:
        assert response.status_code == 404 and m.status == "planned" and m.cancel_reason == ""


def test_the_page_shows_the_history(world: World) -> None:
    m = _ahead(world)
    cancel_meeting(m, reason="书记出差", acting_user=world.county_staff)
    page = client_for(world.member_user).get(f"/meetings/{m.pk}/").content.decode()
    assert "dj-steps" in page and "county_staff" in page and "书记出差" in page
    moves = list(StateChange.of(m).values_list("move", "target", "actor_name"))
    assert moves == [("create", "planned", "secretary"), ("cancel", "cancelled", "county_staff")]


def test_a_stale_move_is_refused_and_changes_nothing(world: World) -> None:
    m = _recorded(world)
    with pytest.raises(ValidationError) as stale:
        close_meeting(m, acting_user=world.secretary, expected_version=m.version - 1)
    assert stale.value.code == "stale"
    with pytest.raises(ValidationError) as stale:
        cancel_meeting(m, reason="x", acting_user=world.secretary, expected_version=m.version - 1)
    assert stale.value.code == "stale"
    page = client_for(world.secretary).post(f"/meetings/{m.pk}/cancel/", {"reason": "x", "version": 1})
    assert page.status_code == 409
    assert Meeting.objects.get(pk=m.pk).status == "planned"
    assert not StateChange.of(m).filter(move__in=["close", "cancel"]).exists()


def test_stale_moves_are_409_in_the_api(api: Api, world: World) -> None:
    m = _recorded(world)
    url = f"/api/v1/meetings/{m.pk}/"
    client = api("county_staff")
    close = client.post(f"{url}close/", {"version": m.version - 1})
    assert close.status_code == 409 and close.data["code"] == "stale"
    cancel = client.post(f"{url}cancel/", {"reason": "改期", "version": m.version - 1})
    assert cancel.status_code == 409 and cancel.data["code"] == "stale"
    assert api("member_user").post(f"{url}close/", {"version": m.version}).status_code == 404
    closed = client.post(f"{url}close/", {"version": m.version})
    assert closed.status_code == 200 and closed.data["status"] == "closed"
    assert closed.data["version"] == m.version + 1


def test_a_too_long_reason_is_refused_by_its_name(world: World) -> None:
    m = _ahead(world)
    with pytest.raises(ValidationError) as long:
        cancel_meeting(m, reason="长" * 201, acting_user=world.secretary)
    assert list(long.value.message_dict) == ["reason"]
    m.refresh_from_db()
    assert m.status == "planned" and m.version == 1
