from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.orglife.checkin import current_code, is_valid
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import check_in, close_meeting, record_attendance, schedule_meeting
from dangjian.testing.world import World


def running(world: World, **shift: float) -> Meeting:
    start = timezone.now() - timedelta(minutes=10) + timedelta(**shift)
    data = {
        "kind": "theme_day",
        "topic": "主题党日",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def test_member_checks_in_with_the_current_code(world: World) -> None:
    m = running(world)
    row = check_in(m, current_code(m.pk), acting_user=world.member_user)
    assert row.member == world.member and row.status == "present"
    assert AuditEntry.objects.filter(action="meeting.check_in", actor_name="member_user").exists()


def test_codes_rotate_every_30_seconds_and_old_ones_fail() -> None:
    now = timezone.now()
    code = current_code(7, now)
    assert is_valid(7, code, now) and is_valid(7, code.lower(), now)
    assert is_valid(7, code, now + timedelta(seconds=30))  # the code just replaced still works
    assert not is_valid(7, code, now + timedelta(seconds=61))  # a photo of an older code does not
    assert not is_valid(8, code, now)  # nor one of another meeting


@pytest.mark.parametrize("reason", ["expired", "foreign", "not_expected", "early", "closed"])
def test_refusals_change_nothing(world: World, reason: str) -> None:
    m = running(world)
    code, user = current_code(m.pk), world.member_user
    if reason == "expired":
        code = current_code(m.pk, timezone.now() - timedelta(minutes=2))
    elif reason == "foreign":
        code = current_code(m.pk + 1)
    elif reason == "not_expected":
        user = world.outsider
    elif reason == "early":
        m = running(world, hours=2)
        code = current_code(m.pk)
    else:
        record_attendance(
            m,
            [{"attendance": a.pk, "status": "absent"} for a in m.attendances.all()],
            acting_user=world.secretary,
        )
        Meeting.objects.filter(pk=m.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
        close_meeting(m, acting_user=world.secretary)
    before = list(m.attendances.values_list("status", flat=True))
    with pytest.raises(ValidationError):
        check_in(m, code, acting_user=user)
    assert list(m.attendances.values_list("status", flat=True)) == before
    assert AuditEntry.objects.filter(action="meeting.check_in", success=False).count() == 1


def test_member_asks_for_leave(world: World) -> None:
    from dangjian.orglife.services import request_leave

    m = running(world, hours=24)
    with pytest.raises(ValidationError):
        request_leave(m, "  ", acting_user=world.member_user)
    row = request_leave(m, "外出务工", acting_user=world.member_user)
    assert (row.status, row.reason) == ("leave", "外出务工")
    with pytest.raises(ValidationError):
        request_leave(m, "有事", acting_user=world.outsider)
    assert AuditEntry.objects.filter(action="meeting.leave_request", success=True).count() == 1
