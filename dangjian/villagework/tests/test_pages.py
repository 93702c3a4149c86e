"""The pages: the county's overview (missing villages highlighted, one query for the list), the
village page (the county assigns), the assignment page from a phone (the work log with a photo,
the photo served to readers only), assessments and the handover from the page, training, and the
organization page's links. Refusals are shown in Chinese with nothing changed."""

from datetime import date
from typing import Any

from django.utils import timezone

from dangjian.orglife.tests.helpers import EXE, jpeg_bytes, upload
from dangjian.testing.world import World
from dangjian.villagework import services
from dangjian.villagework.models import (
    Assessment,
    Assignment,
    AssignmentState,
    LogPhoto,
    TrainingSession,
    WorkLog,
)
from dangjian.villagework.quarters import last_ended

from .helpers import START, add_villages, client, first_secretary, flagged


def test_the_overview_highlights_the_missing_in_one_query(
    world: World, django_assert_max_num_queries: Any
) -> None:
    v = add_villages(world)
    flagged(world, v)
    flagged(world, v, v.village2)  # no first secretary
    row = first_secretary(world, v)
    year, quarter = last_ended(timezone.localdate())
    services.assess(row, year, quarter, "excellent", "成效明显", acting_user=world.county_staff)
    services.assign(
        world.county,
        v.village,
        {
            "role": "team_leader",
            "name": "陈东",
            "sending_unit": "县交通局",
            "phone": "13900001111",
            "start": START,
        },
        acting_user=world.county_staff,
    )
    c = client(world, "county_staff", english=True)
    url = f"/orgs/{world.county.pk}/first-secretaries/"
    c.get(url)  # warm the session and the grants' cache
    with django_assert_max_num_queries(12):
        body = c.get(url).content.decode()
    assert body.count("vw-missing") == 1 and "梨园村党支部" in body and "刘强" in body
    assert "Excellent" in body and f"{year}Q{quarter}" in body
    assert "1 without a first secretary" in body
    # More villages add no query.
    for i in range(3):
        extra = services.flag_village(
            world.county,
            v.village,
            date(2000 + i, 1, 1),
            "历史",
            date(2000 + i, 12, 31),
            acting_user=world.county_staff,
        )
        assert extra.pk
    with django_assert_max_num_queries(12):
        assert c.get(url).status_code == 200


def test_the_county_flags_and_assigns_from_the_pages_and_refusals_are_chinese(world: World) -> None:
    v = add_villages(world)
    c = client(world, "county_staff")
    url = f"/orgs/{world.county.pk}/first-secretaries/"
    bad = c.post(url, {"code": world.branch.code, "start": "2024-01-01", "reason": "贫困村"})
    assert bad.status_code == 200 and "请选择本县以下的村党组织" in bad.content.decode()
    assert (
        c.post(url, {"code": v.village.code, "start": "2024-01-01", "reason": "建档立卡贫困村"}).status_code
        == 302
    )
    page = f"/orgs/{v.village.pk}/village-work/"
    data = {
        "role": "first_secretary",
        "name": "刘强",
        "sending_unit": "县财政局",
        "phone": "13812345678",
        "start": "2024-01-01",
    }
    assert c.post(page, data).status_code == 302
    again = c.post(page, {**data, "name": "王明", "start": "2025-01-01"})
    assert "已有第一书记：刘强" in again.content.decode()
    assert Assignment.objects.count() == 1
    body = c.get(page).content.decode()
    assert "刘强" in body and "13812345678" not in body
    detail = c.get(f"/village-assignments/{Assignment.objects.get().pk}/").content.decode()
    assert "138****5678" in detail and "13812345678" not in detail
    org_page = c.get(f"/orgs/{world.county.pk}/").content.decode()
    assert "org-first-secretaries-link" in org_page
    assert "org-village-work-link" in c.get(f"/orgs/{v.village.pk}/").content.decode()
    assert (
        "org-first-secretaries-link"
        not in client(world, "secretary").get(f"/orgs/{world.branch.pk}/").content.decode()
    )


def test_the_assigned_person_logs_from_a_phone_with_a_photo(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    v = add_villages(world)
    flagged(world, v)
    row = first_secretary(world, v)
    me = client(world, "first_secretary")
    url = f"/village-assignments/{row.pk}/"
    page = me.get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)").content.decode()
    assert 'capture="environment"' in page and "vw-log-form" in page
    today = timezone.localdate().isoformat()
    data = {"on": today, "kind": "visit", "note": "走访脱贫户", "households": "3"}
    done = me.post(f"{url}log/", {**data, "photos": [upload("走访.jpg", jpeg_bytes())]})
    assert done.status_code == 302 and LogPhoto.objects.count() == 1
    refused = me.post(f"{url}log/", {**data, "photos": [upload("病毒.jpg", EXE)]}, follow=True)
    assert "不支持此类文件" in refused.content.decode()
    assert WorkLog.objects.count() == 1
    photo = LogPhoto.objects.get()
    assert me.get(f"{url}photos/{photo.pk}/").status_code == 200
    assert client(world, "outsider").get(f"{url}photos/{photo.pk}/").status_code == 404
    assert client(world, "village_member").get(url).status_code == 404
    # The village's secretary logs too, and sees no county forms.
    sec = client(world, "village_secretary").get(url).content.decode()
    assert "vw-log-form" in sec and "vw-assess-form" not in sec and "vw-hand-form" not in sec


def test_the_county_assesses_and_hands_over_from_the_page(world: World) -> None:
    v = add_villages(world)
    flagged(world, v)
    row = first_secretary(world, v)
    c = client(world, "county_staff")
    url = f"/village-assignments/{row.pk}/"
    assert (
        c.post(
            f"{url}assess/", {"year": "2024", "quarter": "1", "grade": "competent", "comment": "称职"}
        ).status_code
        == 302
    )
    twice = c.post(f"{url}assess/", {"year": "2024", "quarter": "1", "grade": "excellent"}, follow=True)
    assert "该季度已考核" in twice.content.decode() and Assessment.objects.count() == 1
    no_note = c.post(f"{url}hand-over/", {"end": "2025-02-28", "note": "", "version": "0"}, follow=True)
    assert Assignment.objects.get(pk=row.pk).state == AssignmentState.ACTIVE and no_note.status_code == 200
    stale = c.post(f"{url}hand-over/", {"end": "2025-02-28", "note": "已交接", "version": "7"}, follow=True)
    assert "刷新页面" in stale.content.decode()
    assert (
        c.post(f"{url}hand-over/", {"end": "2025-02-28", "note": "已交接", "version": "0"}).status_code == 302
    )
    assert Assignment.objects.get(pk=row.pk).state == AssignmentState.ENDED
    assert (
        client(world, "outsider")
        .post(f"{url}assess/", {"year": "2024", "quarter": "2", "grade": "basic"})
        .status_code
        == 404
    )


def test_training_pages(world: World) -> None:
    v = add_villages(world)
    c = client(world, "county_staff")
    url = f"/orgs/{world.county.pk}/village-training/"
    data = {"title": "村党组织书记示范培训班", "start": "2024-05-06", "end": "2024-05-10", "hours": "32"}
    assert c.post(url, {**data, "end": "2024-05-01"}).status_code == 200  # refused, shown on the form
    assert c.post(url, data).status_code == 302
    session = TrainingSession.objects.get()
    detail = f"/village-training/{session.pk}/"
    assert c.post(detail, {"code": v.village.code, "name": "赵书记"}).status_code == 302
    assert "赵书记" in c.get(detail).content.decode()
    assert client(world, "town_staff").get(detail).status_code == 404
