import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from dangjian.orglife.checkin import current_code
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import World

QR_CODE = re.compile(r"<svg(?! class=\"icon)")  # an SVG that is not one of the page's icons


def running(world: World) -> Meeting:
    start = timezone.now() - timedelta(minutes=5)
    data = {
        "kind": "theme_day",
        "topic": "主题党日",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def test_host_shows_a_qr_code_that_leads_to_check_in(world: World) -> None:
    m = running(world)
    host = Client()
    host.force_login(world.secretary)
    page = host.get(f"/meetings/{m.pk}/qr/").content.decode()
    assert QR_CODE.search(page) and "every 30s" in page
    member = Client()
    member.force_login(world.member_user)
    url = f"/checkin/{m.pk}/{current_code(m.pk)}/"
    assert member.get(url).status_code == 200
    body = member.post(url).content.decode()
    assert 'id="checkin-result"' in body and "alert-success" in body
    assert m.attendances.get(member=world.member).status == "present"


def test_old_code_is_explained_and_strangers_see_nothing(world: World) -> None:
    m = running(world)
    member = Client()
    member.force_login(world.member_user)
    old = current_code(m.pk, timezone.now() - timedelta(minutes=5))
    body = member.post(f"/checkin/{m.pk}/{old}/").content.decode()
    assert "alert-danger" in body and m.attendances.get(member=world.member).status == "expected"
    stranger = Client()
    stranger.force_login(world.outsider)  # not expected: the meeting is not even confirmed
    assert stranger.get(f"/checkin/{m.pk}/{current_code(m.pk)}/").status_code == 404
    assert stranger.get(f"/meetings/{m.pk}/qr/").status_code == 404
    member_only = Client()
    member_only.force_login(world.member_user)  # a member cannot display the host's code
    assert member_only.get(f"/meetings/{m.pk}/qr/").status_code == 404
    assert re.search(r"\w", old)
