from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.lectures.models import DispatchStatus, LectureDispatch, Lecturer
from dangjian.lectures.queries import branches_with_dispatch, reporter_lecture_counts
from dangjian.lectures.services import add_lecturer, cancel_dispatch, confirm_held, dispatch_lecture
from dangjian.orglife.models import Meeting, MeetingKind
from dangjian.orglife.services import close_meeting, record_attendance
from dangjian.testing.world import World


def _past_day_this_year() -> date:
    today = timezone.localdate()
    return today - timedelta(days=1) if today.timetuple().tm_yday > 1 else today


def test_bad_input_is_refused_audited_and_writes_nothing(world: World) -> None:
    day = _past_day_this_year()
    with pytest.raises(ValidationError):
        add_lecturer(world.county, " ", "expert", acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        add_lecturer(world.county, "x", "astronaut", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # pools are kept by committees
        add_lecturer(world.branch, "x", "expert", acting_user=world.secretary)
    with pytest.raises(OutOfScope):
        add_lecturer(world.county_b, "x", "expert", acting_user=world.county_staff)
    assert not Lecturer.objects.exists()
    lec = add_lecturer(world.county, "周老师", "expert", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # not a branch
        dispatch_lecture(lec, world.township, day, "党史", acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        dispatch_lecture(lec, world.branch, day, "  ", acting_user=world.county_staff)
    with pytest.raises(OutOfScope):  # outside the acting user's reach
        dispatch_lecture(lec, world.branch_b, day, "党史", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # outside the keeping committee's subtree
        dispatch_lecture(lec, world.branch_b, day, "党史", acting_user=world.province_staff)
    Lecturer.objects.filter(pk=lec.pk).update(active=False)
    with pytest.raises(ValidationError):
        dispatch_lecture(lec, world.branch, day, "党史", acting_user=world.county_staff)
    assert not LectureDispatch.objects.exists()
    failures = AuditEntry.objects.filter(success=False)
    assert failures.filter(action="lecturer.create").count() == 4
    assert failures.filter(action="lecture_dispatch.create").count() == 5


def test_confirm_creates_the_party_lecture_meeting(world: World) -> None:
    day = _past_day_this_year()
    lec = add_lecturer(world.county, "周老师", "retired", is_reporter=True, acting_user=world.county_staff)
    d = dispatch_lecture(lec, world.branch, day, "党性教育", acting_user=world.county_staff)
    with pytest.raises(OutOfScope):
        confirm_held(d, acting_user=world.outsider)
    d = confirm_held(d, acting_user=world.secretary)
    assert d.status == DispatchStatus.HELD
    meeting = Meeting.objects.get(pk=d.meeting_id)
    assert meeting.kind == MeetingKind.PARTY_LECTURE
    assert meeting.organization_id == world.branch.pk
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (day, 9, 0)
    assert timezone.localtime(meeting.ends_at).strftime("%H:%M") == "10:30"
    record_attendance(
        meeting,
        [{"attendance": a.pk, "status": "present"} for a in meeting.attendances.all()],
        acting_user=world.secretary,
    )
    close_meeting(meeting, acting_user=world.secretary)  # the meeting can be closed
    # Illegal transitions are refused and leave the dispatch as it was.
    with pytest.raises(ValidationError):
        confirm_held(d, acting_user=world.secretary)
    with pytest.raises(ValidationError):
        cancel_dispatch(d, acting_user=world.county_staff)
    later = dispatch_lecture(
        lec, world.branch, timezone.localdate() + timedelta(days=3), "x", acting_user=world.county_staff
    )
    with pytest.raises(ValidationError):  # not before its date
        confirm_held(later, acting_user=world.secretary)
    cancel_dispatch(later, acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        confirm_held(later, acting_user=world.secretary)
    assert Meeting.objects.count() == 1
    assert LectureDispatch.objects.get(pk=later.pk).status == DispatchStatus.CANCELLED
    assert LectureDispatch.objects.get(pk=d.pk).status == DispatchStatus.HELD


def test_counts(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    day = _past_day_this_year()
    reporter = add_lecturer(world.county, "甲", "expert", is_reporter=True, acting_user=world.county_staff)
    plain = add_lecturer(world.county, "乙", "official", acting_user=world.county_staff)
    other = add_lecturer(world.county_b, "丙", "expert", is_reporter=True, acting_user=world.outsider)
    for lec, branch, user in (
        (reporter, world.branch, world.county_staff),
        (reporter, world.branch2, world.county_staff),
        (plain, world.branch, world.county_staff),
        (other, world.branch_b, world.outsider),
    ):
        d = dispatch_lecture(lec, branch, day, "党课", acting_user=user)
        confirm_held(d, acting_user=user)
    dispatch_lecture(reporter, world.branch, day, "未举办", acting_user=world.county_staff)  # proposed
    with django_assert_num_queries(1):
        counts = reporter_lecture_counts(world.county.path, day.year)
    assert counts == {reporter.pk: 2}
    assert reporter_lecture_counts(world.city.path, day.year) == {reporter.pk: 2, other.pk: 1}
    assert reporter_lecture_counts(world.city.path, day.year - 1) == {}
    assert branches_with_dispatch(world.county.path, day.year) == {world.branch.pk, world.branch2.pk}
    assert branches_with_dispatch(world.province.path, day.year) == {
        world.branch.pk,
        world.branch2.pk,
        world.branch_b.pk,
    }


def test_pages(world: World) -> None:
    day = _past_day_this_year()
    staff = Client()
    staff.force_login(world.county_staff)
    url = f"/orgs/{world.county.pk}/lecturers/"
    assert staff.post(url, {"name": "", "kind": "expert"}).status_code == 200
    assert staff.post(url, {"name": "周老师", "kind": "expert", "is_reporter": "on"}).status_code == 302
    lec = Lecturer.objects.get()
    assert lec.is_reporter
    body = staff.get(url).content.decode()
    assert "周老师" in body and "target" in body
    form_url = f"{url}dispatch/"
    assert staff.get(form_url).status_code == 200
    data = {"lecturer": lec.pk, "branch_code": world.branch_b.code, "date": day.isoformat(), "topic": "党课"}
    assert staff.post(form_url, data).status_code == 200  # out of reach
    assert staff.post(form_url, {**data, "branch_code": world.township.code}).status_code == 200  # no branch
    assert staff.post(form_url, {**data, "branch_code": world.branch.code}).status_code == 302
    d = LectureDispatch.objects.get()
    secretary = Client()
    secretary.force_login(world.secretary)
    assert "党课" in secretary.get(f"/orgs/{world.branch.pk}/lecturers/").content.decode()
    assert secretary.get(form_url).status_code == 404
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"/dispatches/{d.pk}/confirm/").status_code == 404
    assert secretary.get(f"/dispatches/{d.pk}/confirm/").status_code == 405
    response = secretary.post(f"/dispatches/{d.pk}/confirm/")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == DispatchStatus.HELD and response["Location"] == f"/meetings/{d.meeting_id}/"
    assert secretary.post(f"/dispatches/{d.pk}/cancel/").status_code == 302  # refused with a message
    d.refresh_from_db()
    assert d.status == DispatchStatus.HELD
