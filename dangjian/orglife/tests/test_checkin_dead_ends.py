"""Check-in without dead ends: a page for every case a scanning member can be in, and back to the
check-in after logging in."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orglife.checkin import current_code, grouped
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import cancel_meeting, schedule_meeting
from dangjian.testing.world import PASSWORD, World


def meeting_at(world: World, start_in: timedelta, topic: str = "主题党日") -> Meeting:
    start = timezone.now() + start_in
    data = {"kind": "theme_day", "topic": topic, "starts_at": start, "ends_at": start + timedelta(hours=1)}
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def card(page: str) -> str:
    return page.split('id="checkin-not-expected"')[1].split("</main>")[0]


def signed_in(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(user)
    return client


def test_not_expected_gets_a_chinese_page_that_tells_nothing(world: World) -> None:
    m = meeting_at(world, timedelta(minutes=-5), topic="机密议题")
    stranger = signed_in(world.outsider)
    url = f"/checkin/{m.pk}/{current_code(m.pk)}/"
    response = stranger.get(url)
    body = response.content.decode()
    assert response.status_code == 404 and 'id="checkin-not-expected"' in body
    assert "您不在本次会议的参会名单中" in body and 'href="/my/meetings/"' in body
    assert "机密议题" not in body and world.branch.name not in body
    # The same page for a meeting that does not exist: existence is not confirmed.
    missing = stranger.get(f"/checkin/{m.pk + 999}/{current_code(m.pk)}/")
    assert missing.status_code == 404
    assert card(missing.content.decode()) == card(body)
    assert m.attendances.filter(status="present").count() == 0


def test_before_the_window_the_page_says_when_it_opens(world: World) -> None:
    m = meeting_at(world, timedelta(hours=3))
    page = signed_in(world.member_user).get(f"/checkin/{m.pk}/{current_code(m.pk)}/").content.decode()
    opens = timezone.localtime(m.starts_at - timedelta(minutes=30)).strftime("%H:%M")
    assert 'id="checkin-state"' in page and "签到将于" in page and opens in page
    assert 'id="checkin-submit"' not in page


def test_cancelled_and_ended_meetings_say_so(world: World) -> None:
    m = meeting_at(world, timedelta(hours=3))
    cancel_meeting(m, reason="暴雨", acting_user=world.secretary)
    page = signed_in(world.member_user).get(f"/checkin/{m.pk}/{current_code(m.pk)}/").content.decode()
    assert "已取消" in page and "暴雨" in page and 'id="checkin-submit"' not in page
    ended = meeting_at(world, timedelta(hours=-3))
    page = signed_in(world.member_user).get(f"/checkin/{ended.pk}/{current_code(ended.pk)}/").content.decode()
    assert "签到已结束" in page


def test_host_page_says_when_the_code_counts_and_links_back(world: World) -> None:
    early = meeting_at(world, timedelta(hours=3))
    page = signed_in(world.secretary).get(f"/meetings/{early.pk}/qr/").content.decode()
    opens = timezone.localtime(early.starts_at - timedelta(minutes=30)).strftime("%H:%M")
    assert 'id="qr-window"' in page and opens in page and "alert-warning" in page
    assert f'href="/meetings/{early.pk}/"' in page
    running = meeting_at(world, timedelta(minutes=-5))
    asked = timezone.now()
    page = signed_in(world.secretary).get(f"/meetings/{running.pk}/qr/").content.decode()
    assert "alert-warning" not in page.split('id="qr-box"')[1]
    # The code to type, for a phone without camera (it turns over every 30 s: the one of either moment).
    assert any(grouped(current_code(running.pk, at))[:4] in page for at in (asked, timezone.now()))


def test_my_meetings_offers_check_in_during_the_window_only(world: World) -> None:
    running = meeting_at(world, timedelta(minutes=-5))
    later = meeting_at(world, timedelta(days=2), topic="下周的会")
    member = signed_in(world.member_user)
    page = member.get("/my/meetings/").content.decode()
    assert f'id="checkin-{running.pk}"' in page and f'id="checkin-{later.pk}"' not in page
    # The tap leads to a page that takes the typed code, spaces and all.
    form = member.get(f"/checkin/{running.pk}/").content.decode()
    assert 'name="code"' in form
    done = member.post(f"/checkin/{running.pk}/", {"code": grouped(current_code(running.pk)).lower()})
    assert done.status_code == 200 and "alert-success" in done.content.decode()
    assert running.attendances.get(member=world.member).status == "present"
    assert f'id="checkin-{running.pk}"' not in member.get("/my/meetings/").content.decode()
    wrong = member.post(f"/checkin/{later.pk}/", {"code": ""})
    assert 'id="checkin-submit"' not in wrong.content.decode()  # before its window: no form at all


def test_a_logged_out_member_comes_back_to_the_check_in(world: World) -> None:
    m = meeting_at(world, timedelta(minutes=-5))
    url = f"/checkin/{m.pk}/{current_code(m.pk)}/"
    client = Client()
    to_login = client.get(url)
    assert to_login.status_code == 302 and to_login["Location"].startswith("/login/?next=")
    after = client.post(to_login["Location"], {"username": "member_user", "password": PASSWORD})
    assert after.status_code == 302 and after["Location"] == url
    assert client.post(url).status_code == 200
    assert m.attendances.get(member=world.member).status == "present"


def test_only_same_site_paths_are_followed_after_login(world: World) -> None:
    for target in ("https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        client = Client()
        response = client.post(f"/login/?next={target}", {"username": "member_user", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/", target


def test_next_survives_the_forced_password_change(world: World) -> None:
    user = world.member_user
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = Client()
    response = client.post("/login/?next=/my/meetings/", {"username": "member_user", "password": PASSWORD})
    assert response["Location"] == "/account/password/"
    changed = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": "Qz7!mK2#vL9pX4", "new_password2": "Qz7!mK2#vL9pX4"},
    )
    assert changed.status_code == 302 and changed["Location"] == "/my/meetings/"
