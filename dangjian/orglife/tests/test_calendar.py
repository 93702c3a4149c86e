import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.services import change_own_password, hash_token
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.orglife.calendar import create_feed, escape_text, feed_ics, fold, revoke_feed
from dangjian.orglife.models import CalendarFeed, Meeting
from dangjian.orglife.services import cancel_meeting, schedule_meeting
from dangjian.testing.world import PASSWORD, World


def meeting(world: World, topic: str = "学习党章", days: float = 3, **extra: object) -> Meeting:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    data = {
        "kind": "branch_assembly",
        "topic": topic,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "place": "会议室; 三楼, A",
        **extra,
    }
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def fetch(client: Client, token: str) -> icalendar.Calendar:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    body = response.content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    return icalendar.Calendar.from_ical(body)


def events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return list(cal.walk("VEVENT"))


def test_feed_lists_expected_meetings_with_times_and_text(world: World) -> None:
    m = meeting(world)
    token = create_feed(world.member_user, acting_user=world.member_user)
    cal = fetch(Client(), token)
    assert str(cal["VERSION"]) == "2.0" and str(cal["CALSCALE"]) == "GREGORIAN"
    assert cal["PRODID"] and cal["X-WR-CALNAME"]
    (event,) = events(cal)
    assert str(event["UID"]) == f"meeting-{m.pk}@dangjian"
    assert str(event["SUMMARY"]).endswith(" · 学习党章")
    assert str(event["LOCATION"]) == "会议室; 三楼, A"  # escaped in the text, unescaped by parsing
    assert str(event["DESCRIPTION"]) == "第一党支部"
    assert str(event["STATUS"]) == "TENTATIVE"
    assert event.decoded("DTSTART") == m.starts_at
    assert event.decoded("DTEND") == m.ends_at
    assert event.decoded("DTSTART").tzinfo is not None
    assert event["DTSTART"].to_ical().endswith(b"Z")


def test_window_cancelled_and_other_branches_are_left_out(world: World) -> None:
    kept = meeting(world, "保留")
    meeting(world, "太久以前", days=-100)
    meeting(world, "太远以后", days=400)
    cancel_meeting(meeting(world, "已取消"), acting_user=world.secretary)
    start = timezone.now() + timedelta(days=1)
    schedule_meeting(
        world.branch_b,
        {"kind": "theme_day", "topic": "别的支部", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=SYSTEM,
    )
    text = feed_ics(world.member_user)
    uids = [str(e["UID"]) for e in events(icalendar.Calendar.from_ical(text))]
    assert uids == [f"meeting-{kept.pk}@dangjian"]


def test_long_chinese_topic_folds_on_character_boundaries_and_round_trips(world: World) -> None:
    topic = (
        "深入学习贯彻习近平新时代中国特色社会主义思想主题教育专题组织生活会，对照检查、批评与自我批评；" * 2
    )
    meeting(world, topic[:200])
    text = feed_ics(world.member_user)
    raw = text.encode()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # every physical line is valid UTF-8: no character was split
    assert "\r\n " in text
    (event,) = events(icalendar.Calendar.from_ical(raw))
    assert str(event["SUMMARY"]).endswith(" · " + topic[:200])


def test_escaping_and_folding_helpers() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    folded = fold("X:" + "é" * 100)
    lines = folded.encode().split(b"\r\n")
    assert all(len(line) <= 75 for line in lines) and all(line.startswith(b" ") for line in lines[1:])
    assert folded.replace("\r\n ", "") == "X:" + "é" * 100
    assert fold("short") == "short"


def test_revoked_and_unknown_tokens_are_404(world: World) -> None:
    token = create_feed(world.member_user, acting_user=world.member_user)
    client = Client()
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    revoke_feed(world.member_user, acting_user=world.member_user)
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_new_link_invalidates_the_old_one_and_only_the_hash_is_stored(world: World) -> None:
    old = create_feed(world.member_user, acting_user=world.member_user)
    new = create_feed(world.member_user, acting_user=world.member_user)
    client = Client()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert CalendarFeed.objects.filter(user=world.member_user, revoked_at__isnull=True).count() == 1
    assert not CalendarFeed.objects.filter(key_hash__in=[old, new]).exists()


def test_a_link_stops_working_after_its_lifetime(world: World) -> None:
    token = create_feed(world.member_user, acting_user=world.member_user)
    client = Client()
    year_ago = timezone.now() - timedelta(days=365)
    CalendarFeed.objects.filter(user=world.member_user).update(created_at=year_ago + timedelta(hours=1))
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    CalendarFeed.objects.filter(user=world.member_user).update(created_at=year_ago - timedelta(hours=1))
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_ending_the_accounts_credentials_ends_its_link(world: World) -> None:
    """A password change ends sessions and tokens; the calendar link is a credential too."""
    token = create_feed(world.member_user, acting_user=world.member_user)
    change_own_password(world.member_user, PASSWORD, "Hzq7-mwkp-river", acting_user=world.member_user)
    assert Client().get(f"/calendar/{token}.ics").status_code == 404
    entry = AuditEntry.objects.filter(action="calendar.revoke").latest("pk")
    assert entry.org_path == world.branch.path and "password" in entry.detail


def test_inactive_user_feed_is_404(world: World) -> None:
    token = create_feed(world.member_user, acting_user=world.member_user)
    world.member_user.is_active = False
    world.member_user.save(update_fields=["is_active"])
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_user_without_member_gets_a_valid_empty_calendar(world: World) -> None:
    meeting(world)
    token = create_feed(world.secretary, acting_user=world.secretary)
    cal = fetch(Client(), token)
    assert str(cal["VERSION"]) == "2.0"
    assert events(cal) == []


def test_others_cannot_create_a_link_for_a_user(world: World) -> None:
    with pytest.raises(OutOfScope):
        create_feed(world.member_user, acting_user=world.secretary)
    assert not CalendarFeed.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.create", success=False).exists()


def test_create_and_revoke_are_audited(world: World) -> None:
    create_feed(world.member_user, acting_user=world.member_user)
    revoke_feed(world.member_user, acting_user=world.member_user)
    created = AuditEntry.objects.get(action="calendar.create", success=True)
    assert created.actor_name == "member_user" and created.org_path == world.branch.path
    assert AuditEntry.objects.filter(action="calendar.revoke", actor_name="member_user").exists()


def test_settings_page_shows_the_link_once_and_revokes(world: World) -> None:
    client = Client()
    assert client.get("/account/calendar/")["Location"].startswith("/login/")
    client.force_login(world.member_user)
    assert client.get("/account/calendar/").status_code == 200
    response = client.post("/account/calendar/", {"action": "create"})
    assert response.status_code == 200
    (feed,) = CalendarFeed.objects.filter(user=world.member_user)
    found = re.search(
        r'id="calendar-url"[^>]*value="http://testserver/calendar/([\w-]+)\.ics"', response.content.decode()
    )
    assert found is not None
    token = found.group(1)
    assert feed.key_hash == hash_token(token)
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    assert f"/calendar/{token}.ics" not in client.get("/account/calendar/").content.decode()
    response = client.post("/account/calendar/", {"action": "revoke"})
    assert response.status_code == 302
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_dtstamp_is_utc(world: World) -> None:
    meeting(world)
    (event,) = events(icalendar.Calendar.from_ical(feed_ics(world.member_user)))
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTAMP") <= datetime.now(UTC) + timedelta(seconds=1)
