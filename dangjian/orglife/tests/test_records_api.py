"""The record in the API: minutes and resolutions, attachments, revisions; scope and conflicts."""

from collections.abc import Callable
from pathlib import Path

from rest_framework.test import APIClient

from dangjian.orglife.models import Meeting, MeetingAttachment, MeetingRevision
from dangjian.testing.world import World

from .helpers import EXE, client_for, closed_meeting, past_meeting, pixels, png_bytes, stored_files, upload

Api = Callable[[str], APIClient]
MEETINGS = "/api/v1/meetings/"


def test_minutes_and_resolutions_are_sanitized_and_versioned(api: Api, world: World) -> None:
    m = past_meeting(world)
    url = f"{MEETINGS}{m.pk}/"
    client = api("secretary")
    response = client.patch(
        url,
        {
            "minutes": '<p onclick="x()">记录<script>alert(1)</script></p>',
            "resolutions": "决议一\n决议二",
            "version": 1,
        },
    )
    assert response.status_code == 200, response.data
    assert response.data["minutes"] == "<p>记录</p>" and response.data["resolutions"] == "决议一\n决议二"
    assert response.data["attachments"] == [] and response.data["revisions"] == []
    stale = api("county_staff").patch(url, {"minutes": "别人的", "version": 1})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    # Rows stored before the sanitizer come out sanitized too.
    Meeting.objects.filter(pk=m.pk).update(minutes="<img src=x onerror=alert(1)>旧记录")
    assert api("member_user").get(url).data["minutes"] == "旧记录"
    listed = client.get(MEETINGS).data["results"][0]
    assert listed["minutes"] == "旧记录" and "attachments" not in listed


def test_attachments_upload_download_delete_and_scope(api: Api, world: World, media: Path) -> None:
    m = past_meeting(world)
    url = f"{MEETINGS}{m.pk}/attachments/"
    client = api("secretary")
    refused = client.post(url, {"file": upload("照片.jpg", EXE)}, format="multipart")
    assert refused.status_code == 400 and "This kind of file is not accepted" in str(refused.data)
    assert not MeetingAttachment.objects.exists() and stored_files(media) == []
    assert (
        api("member_user").post(url, {"file": upload("a.png", png_bytes())}, format="multipart").status_code
        == 404
    )
    assert (
        api("outsider").post(url, {"file": upload("a.png", png_bytes())}, format="multipart").status_code
        == 404
    )

    created = client.post(url, {"file": upload("合影.png", png_bytes())}, format="multipart")
    assert created.status_code == 201, created.data
    aid = created.data["id"]
    assert created.data["name"] == "合影.png" and created.data["kind"] == "png"
    assert created.data["url"] == f"{url}{aid}/"
    detail = api("member_user").get(f"{MEETINGS}{m.pk}/").data
    assert [a["id"] for a in detail["attachments"]] == [aid]

    download = api("member_user").get(f"{url}{aid}/")
    assert download.status_code == 200
    assert pixels(b"".join(download.streaming_content)) == pixels(png_bytes())  # the same picture
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api("outsider").get(f"{url}{aid}/").status_code == 404
    assert api("outsider").get(f"{MEETINGS}{m.pk}/").status_code == 404
    other = past_meeting(world)
    assert client.get(f"{MEETINGS}{other.pk}/attachments/{aid}/").status_code == 404  # not that meeting's

    assert api("member_user").delete(f"{url}{aid}/").status_code == 404
    assert client.delete(f"{url}{aid}/").status_code == 204
    assert not MeetingAttachment.objects.exists()


def test_revisions_endpoint(api: Api, world: World, media: Path) -> None:
    m = closed_meeting(world)
    url = f"{MEETINGS}{m.pk}/"
    client = api("secretary")
    locked = client.patch(url, {"minutes": "改写", "version": m.version})
    assert locked.status_code == 400 and "closed" in str(locked.data)
    no_reason = client.post(f"{url}revisions/", {"minutes": "<p>补记</p>", "version": m.version})
    assert no_reason.status_code == 400 and "reason" in no_reason.data
    stale = client.post(
        f"{url}revisions/", {"reason": "补记", "minutes": "<p>补记</p>", "version": m.version - 1}
    )
    assert stale.status_code == 409
    assert (
        api("outsider")
        .post(f"{url}revisions/", {"reason": "x", "minutes": "y", "version": m.version})
        .status_code
        == 404
    )

    response = client.post(
        f"{url}revisions/",
        {"reason": "补记会议内容", "minutes": "<p>补记</p>", "resolutions": "决议一", "version": m.version},
    )
    assert response.status_code == 201, response.data
    assert response.data["minutes"] == "<p>补记</p>" and response.data["version"] == m.version + 1
    [revision] = response.data["revisions"]
    assert revision["number"] == 1 and revision["reason"] == "补记会议内容"
    assert (revision["minutes_before"], revision["minutes_after"]) == ("", "<p>补记</p>")
    assert revision["created_by"] == "secretary"

    # A photo for the closed record: only with a reason, as revision 2.
    photo = {"file": upload("补拍.png", png_bytes())}
    assert client.post(f"{url}attachments/", photo, format="multipart").status_code == 400
    photo = {"file": upload("补拍.png", png_bytes()), "reason": "补充照片"}
    assert client.post(f"{url}attachments/", photo, format="multipart").status_code == 201
    aid = MeetingAttachment.objects.get().pk
    assert client.delete(f"{url}attachments/{aid}/").status_code == 400  # needs a reason
    assert client.delete(f"{url}attachments/{aid}/?reason=拍错了").status_code == 204
    assert list(MeetingRevision.objects.values_list("number", "reason")) == [
        (1, "补记会议内容"),
        (2, "补充照片"),
        (3, "拍错了"),
    ]
    assert len(client_for(world.secretary).get(f"/meetings/{m.pk}/").context["revisions"]) == 3
