"""Meeting pages: scheduling, attendance, guests and closing; bad input changes nothing."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import World

FMT = "%Y-%m-%dT%H:%M"


def client_for(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def past_meeting(world: World, **extra: object) -> Meeting:
    start = timezone.now() - timedelta(days=1)
    data = {
        "kind": "branch_assembly",
        "topic": "学习党章",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    return schedule_meeting(world.branch, data | extra, acting_user=SYSTEM)


def test_schedule_bad_then_good(world: World) -> None:
    client = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/meetings/add/"
    page = client.get(url).content.decode()
    assert 'type="datetime-local"' in page
    start = timezone.localtime() + timedelta(days=3)
    form = {
        "kind": "branch_assembly",
        "topic": "学习党章",
        "starts_at": start.strftime(FMT),
        "ends_at": (start - timedelta(hours=1)).strftime(FMT),
        "place": "会议室",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "The meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.exists()

    response = client.post(url, form | {"ends_at": (start + timedelta(hours=2)).strftime(FMT)})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.organization == world.branch and meeting.place == "会议室"
    assert set(Attendance.objects.filter(meeting=meeting).values_list("member", flat=True)) == {
        world.member.pk,
        world.member2.pk,
    }
    assert AuditEntry.objects.filter(
        action="meeting.create", object_id=str(meeting.pk), success=True
    ).exists()
    # A datetime-local value in the edit format round-trips.
    assert timezone.localtime(meeting.starts_at).strftime(FMT) == start.strftime(FMT)


def test_list_and_org_link(world: World) -> None:
    meeting = past_meeting(world)
    client = client_for(world.member_user)  # may view, not change
    assert f"/orgs/{world.branch.pk}/meetings/" in client.get(f"/orgs/{world.branch.pk}/").content.decode()
    page = client.get(f"/orgs/{world.branch.pk}/meetings/").content.decode()
    assert meeting.topic in page and f"/meetings/{meeting.pk}/" in page
    assert "/meetings/add/" not in page
    assert (
        "/meetings/add/"
        in client_for(world.secretary).get(f"/orgs/{world.branch.pk}/meetings/").content.decode()
    )
    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert world.member.name in detail
    assert "/attendance/" not in detail and "/close/" not in detail


def test_record_attendance_guest_and_close(world: World) -> None:
    meeting = past_meeting(world)
    client = client_for(world.secretary)
    url = f"/meetings/{meeting.pk}/"
    rows = {a.member_id: a.pk for a in meeting.attendances.all()}
    page = client.get(url).content.decode()
    assert f'name="status_{rows[world.member.pk]}"' in page and 'type="radio"' in page

    # Leave without a reason: refused, nothing saved, the choice is kept on the page.
    response = client.post(
        f"{url}attendance/",
        {
            f"status_{rows[world.member.pk]}": "present",
            f"status_{rows[world.member2.pk]}": "leave",
            "version": "1",
        },
    )
    assert response.status_code == 400
    assert "Give the reason for the leave" in response.content.decode()
    assert not Attendance.objects.filter(meeting=meeting).exclude(status="expected").exists()

    response = client.post(
        f"{url}attendance/",
        {
            f"status_{rows[world.member.pk]}": "present",
            f"status_{rows[world.member2.pk]}": "leave",
            f"reason_{rows[world.member2.pk]}": "出差",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.filter(meeting=meeting).values_list("member", "status")) == {
        world.member.pk: "present",
        world.member2.pk: "leave",
    }
    assert AuditEntry.objects.filter(
        action="meeting.attendance", object_id=str(meeting.pk), success=True
    ).exists()

    assert client.post(f"{url}guest/", {"guest_name": " "}).status_code == 400
    assert client.post(f"{url}guest/", {"guest_name": "刘书记"}).status_code == 302
    guest = Attendance.objects.get(meeting=meeting, guest_name="刘书记")

    # The guest is not recorded yet: closing is refused with the reason shown.
    response = client.post(f"{url}close/", follow=True)
    assert "Record the attendance of everyone expected" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"

    assert client.post(f"{url}attendance/", {f"status_{guest.pk}": "present"}).status_code == 302
    response = client.post(f"{url}close/", follow=True)
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    page = response.content.decode()
    assert "#lock-fill" in page and "<form" in page  # the logout form remains
    assert "/attendance/" not in page and "/guest/" not in page and "/close/" not in page


def test_stale_attendance_form_is_refused(world: World) -> None:
    meeting = past_meeting(world)
    row = meeting.attendances.first()
    assert row is not None
    client = client_for(world.secretary)
    response = client.post(
        f"/meetings/{meeting.pk}/attendance/", {f"status_{row.pk}": "absent", "version": "7"}
    )
    assert response.status_code == 400
    assert "Someone else changed this meeting" in response.content.decode()


def test_outsider_and_viewer_cannot_reach(world: World) -> None:
    meeting = past_meeting(world)
    outsider = client_for(world.outsider)
    for url in (
        f"/meetings/{meeting.pk}/",
        f"/orgs/{world.branch.pk}/meetings/",
        f"/orgs/{world.branch.pk}/meetings/add/",
    ):
        assert outsider.get(url).status_code == 404
    for action in ("attendance", "guest", "close"):
        assert outsider.post(f"/meetings/{meeting.pk}/{action}/").status_code == 404
        assert client_for(world.member_user).post(f"/meetings/{meeting.pk}/{action}/").status_code == 404
    assert client_for(world.member_user).get(f"/orgs/{world.branch.pk}/meetings/add/").status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"
