from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.study.models import StudyPlan
from dangjian.study.queries import organizations_with_plan, plan_progress
from dangjian.study.services import add_item, create_plan, link_meeting
from dangjian.testing.world import World

BEIJING = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


def closed_meeting(world: World, days_ago: int = 3):  # type: ignore[no-untyped-def]
    start = timezone.now() - timedelta(days=days_ago)
    m = schedule_meeting(
        world.branch,
        {"kind": "party_lecture", "topic": "党课", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=world.secretary,
    )
    record_attendance(
        m,
        [{"attendance": a.pk, "status": "present"} for a in m.attendances.all()],
        acting_user=world.secretary,
    )
    return close_meeting(m, acting_user=world.secretary)


def test_plan_items_are_done_when_a_closed_meeting_carried_them_out(world: World) -> None:
    year = timezone.localdate().year
    plan = create_plan(world.branch, year, "第一党支部学习计划", acting_user=world.secretary)
    first = add_item(plan, 3, "学习党章", "《中国共产党章程》", acting_user=world.secretary)
    add_item(plan, 4, "学习系列讲话", acting_user=world.secretary)
    meeting = closed_meeting(world)
    if timezone.localtime(meeting.starts_at).year != year:  # early January: the meeting was last year
        pytest.skip("meeting falls in the previous year")
    link_meeting(first, meeting, acting_user=world.secretary)
    assert [done for _item, done in plan_progress(plan)] == [True, False]
    assert organizations_with_plan(world.city.path, year) == {world.branch.pk}
    assert AuditEntry.objects.filter(action__startswith="study_plan.", success=True).count() == 4


def test_bad_input_is_refused(world: World) -> None:
    year = timezone.localdate().year
    plan = create_plan(world.branch, year, "计划", acting_user=world.secretary)
    with pytest.raises(ValidationError):
        create_plan(world.branch, year, "第二个", acting_user=world.secretary)  # one plan a year
    with pytest.raises(ValidationError):
        add_item(plan, 13, "x", acting_user=world.secretary)
    with pytest.raises(OutOfScope):
        create_plan(world.branch_b, year, "x", acting_user=world.secretary)
    other = create_plan(world.branch2, year, "二支部", acting_user=world.county_staff)
    item = add_item(other, 5, "y", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # a meeting of another organization
        link_meeting(item, closed_meeting(world), acting_user=world.county_staff)
    assert StudyPlan.objects.count() == 2


def test_plan_page(world: World) -> None:
    client = Client()
    client.force_login(world.secretary)
    year = timezone.localdate().year
    url = f"/orgs/{world.branch.pk}/study/?year={year}"
    assert client.post(url, {"create_plan": "1", "title": ""}).status_code == 200
    assert client.post(url, {"create_plan": "1", "title": "学习计划"}).status_code == 302
    assert client.post(url, {"add_item": "1", "month": "5", "theme": "学习党史"}).status_code == 302
    assert "学习党史" in client.get(url).content.decode()
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 404


@pytest.mark.parametrize(
    ("starts", "year"),
    [
        (datetime(2027, 1, 1, 0, 30, tzinfo=BEIJING), 2027),  # 2026-12-31 16:30 UTC
        (datetime(2026, 12, 31, 23, 30, tzinfo=BEIJING), 2026),
    ],
)
def test_a_meeting_links_to_the_plan_of_its_beijing_year(world: World, starts: datetime, year: int) -> None:
    scheduled = schedule_meeting(
        world.branch,
        {"kind": "party_lecture", "topic": "党课", "starts_at": starts, "ends_at": starts + HOUR},
        acting_user=world.secretary,
    )
    meeting = Meeting.objects.get(pk=scheduled.pk)  # as views and the API load it: in UTC
    plans = {y: create_plan(world.branch, y, f"{y}年计划", acting_user=world.secretary) for y in (2026, 2027)}
    item = add_item(plans[year], 1, "学习党章", acting_user=world.secretary)
    link_meeting(item, meeting, acting_user=world.secretary)
    assert list(item.meetings.all()) == [meeting]
    other = add_item(plans[2026 if year == 2027 else 2027], 1, "学习党章", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="plan's year"):
        link_meeting(other, meeting, acting_user=world.secretary)
    assert not other.meetings.exists()
