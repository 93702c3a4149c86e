"""The API under /api/v1/villagework/: the county flags, assigns (overlap refused), hands over
(stale 409), assesses; the assigned person logs with a photo (multipart); outsiders 404; training
with attendance."""

from typing import Any

from django.utils import timezone

from dangjian.orglife.tests.helpers import jpeg_bytes, upload
from dangjian.testing.world import World
from dangjian.villagework.models import Assignment

from .helpers import add_villages

URL = "/api/v1/villagework/"


def test_the_county_and_the_person_through_the_api(
    world: World, api: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    v = add_villages(world)
    county = api("county_staff")
    flag = county.post(
        f"{URL}flags/",
        {"county": world.county.code, "village": v.village.code, "start": "2024-01-01", "reason": "贫困村"},
    )
    assert flag.status_code == 201, flag.content
    body = {
        "county": world.county.code,
        "village": v.village.code,
        "role": "first_secretary",
        "name": "刘强",
        "sending_unit": "县财政局",
        "phone": "13812345678",
        "start": "2024-01-01",
        "member": world.first_secretary.member.pk,
    }
    made = county.post(f"{URL}assignments/", body)
    assert made.status_code == 201 and made.json()["phone"] == "138****5678"
    pk = made.json()["id"]
    overlap = county.post(
        f"{URL}assignments/", {**body, "name": "王明", "member": None, "start": "2025-01-01"}
    )
    assert overlap.status_code == 400 and "刘强" in str(overlap.json())
    assert county.post(f"{URL}assignments/", {**body, "nickname": "x"}).status_code == 400
    me = api("first_secretary")
    assert me.get(f"{URL}assignments/{pk}/").status_code == 200
    assert [r["id"] for r in me.get(f"{URL}assignments/").json()["results"]] == [pk]
    log = me.post(
        f"{URL}assignments/{pk}/logs/",
        {
            "on": timezone.localdate().isoformat(),
            "kind": "visit",
            "note": "走访",
            "households": 2,
            "photos": [upload("走访.jpg", jpeg_bytes())],
        },
        format="multipart",
    )
    assert log.status_code == 201 and len(log.json()["photos"]) == 1
    assert len(county.get(f"{URL}assignments/{pk}/logs/").json()) == 1
    assessed = county.post(
        f"{URL}assignments/{pk}/assessments/", {"year": 2024, "quarter": 1, "grade": "excellent"}
    )
    assert assessed.status_code == 201
    assert (
        county.post(
            f"{URL}assignments/{pk}/assessments/", {"year": 2024, "quarter": 1, "grade": "basic"}
        ).status_code
        == 400
    )
    assert (
        me.post(
            f"{URL}assignments/{pk}/assessments/", {"year": 2024, "quarter": 2, "grade": "excellent"}
        ).status_code
        == 404
    )
    stale = county.post(
        f"{URL}assignments/{pk}/hand-over/", {"end": "2025-02-28", "note": "交接", "version": 9}
    )
    assert stale.status_code == 409
    ended = county.post(
        f"{URL}assignments/{pk}/hand-over/", {"end": "2025-02-28", "note": "交接", "version": 0}
    )
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    outsider = api("outsider")
    assert outsider.get(f"{URL}assignments/{pk}/").status_code == 404
    assert (
        outsider.post(
            f"{URL}assignments/{pk}/logs/", {"on": "2024-02-01", "kind": "visit", "note": "x"}
        ).status_code
        == 404
    )
    assert api("village_member").get(f"{URL}assignments/{pk}/").status_code == 404
    assert Assignment.objects.get(pk=pk).state == "ended"
    session = county.post(
        f"{URL}trainings/",
        {
            "county": world.county.code,
            "title": "培训",
            "start": "2024-05-06",
            "end": "2024-05-08",
            "hours": "24",
        },
    )
    assert session.status_code == 201
    sid = session.json()["id"]
    assert (
        county.post(
            f"{URL}trainings/{sid}/attendance/", {"village": v.village.code, "name": "赵书记"}
        ).status_code
        == 201
    )
    assert len(county.get(f"{URL}trainings/{sid}/attendance/").json()) == 1
    assert api("town_staff").get(f"{URL}trainings/{sid}/").status_code == 404
