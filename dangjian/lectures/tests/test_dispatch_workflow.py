"""The dispatch's moves through `core.workflow`: history, audit, event, the move view's version."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from dangjian.core.models import AuditEntry, StateChange
from dangjian.lectures.models import DispatchStatus, LectureDispatch
from dangjian.lectures.services import add_lecturer, confirm_held, dispatch_lecture
from dangjian.lectures.workflows import DISPATCH_FLOW
from dangjian.testing.world import World


def test_history_and_audit_of_a_confirmed_dispatch(world: World) -> None:
    lec = add_lecturer(world.county, "周老师", "expert", acting_user=world.county_staff)
    day = timezone.localdate() - timedelta(days=1)
    d = dispatch_lecture(lec, world.branch, day, "党课", acting_user=world.county_staff)
    d = confirm_held(d, acting_user=world.secretary)
    assert d.version == 1
    moves = [(s.move, s.source, s.target) for s in StateChange.of(d)]
    assert moves == [("create", "", "proposed"), ("confirm", "proposed", "held")]
    entry = AuditEntry.objects.get(action="lecture_dispatch.confirm", success=True)
    assert entry.changes == {"status": ["proposed", "held"], "meeting": [None, d.meeting_id]}
    assert DISPATCH_FLOW.table() == {
        "proposed": frozenset({"held", "cancelled"}),
        "held": frozenset(),
        "cancelled": frozenset(),
    }


def test_cancel_through_the_move_view_refuses_a_stale_page(world: World) -> None:
    lec = add_lecturer(world.county, "周老师", "expert", acting_user=world.county_staff)
    d = dispatch_lecture(lec, world.branch, timezone.localdate(), "党课", acting_user=world.county_staff)
    staff = Client()
    staff.force_login(world.county_staff)
    url = f"/dispatches/{d.pk}/cancel/"
    assert staff.post(url, {"version": "7"}).status_code == 302
    assert LectureDispatch.objects.get(pk=d.pk).status == DispatchStatus.PROPOSED
    response = staff.post(url, {"version": "0"})
    assert response["Location"] == f"/orgs/{world.branch.pk}/lecturers/?year={d.date.year}"
    assert LectureDispatch.objects.get(pk=d.pk).status == DispatchStatus.CANCELLED
    assert AuditEntry.objects.filter(action="lecture_dispatch.cancel", success=True).count() == 1
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.post(url).status_code == 404
