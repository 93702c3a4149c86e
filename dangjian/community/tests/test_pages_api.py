"""The pages (a branch's theme practice, a registration, a pairing, the member's own page on the
phone) and the API under /api/v1/community/: reachable from the organization page and from 我的,
each write through the service, outsiders 404, bad input refused in Chinese with nothing changed,
list pages within a query budget."""

from datetime import date
from typing import Any

from django.test import Client

from dangjian.community import services
from dangjian.community.models import Commitment, Pairing, Registration, ServiceTask, TaskState
from dangjian.core.masking import mask_phone
from dangjian.feed.models import FeedItem, FeedKind
from dangjian.testing.world import World

from .helpers import accepted, add_workplace, task

API = "/api/v1/community"


def _client(world: World, persona: str, lang: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(world.users[persona])
    return client


def test_the_branch_page_is_linked_and_shows_its_work(
    world: World, django_assert_max_num_queries: Any
) -> None:
    place = add_workplace(world)
    row = accepted(world, place)
    services.make_commitment(world.member, 2026, "每月参加一次志愿服务", acting_user=world.member_user)
    post = services.create_post(
        world.branch, {"name": "环境卫生岗", "duties": "楼道卫生"}, acting_user=world.secretary
    )
    services.assign(post, world.member, acting_user=world.secretary)
    secretary = _client(world, "secretary")
    assert (
        f"/orgs/{world.branch.pk}/community/" in secretary.get(f"/orgs/{world.branch.pk}/").content.decode()
    )
    with django_assert_max_num_queries(25):
        body = secretary.get(f"/orgs/{world.branch.pk}/community/?year=2026").content.decode()
    assert "环境卫生岗" in body and "每月参加一次志愿服务" in body and place.worker.name in body
    assert f"/community/registrations/{row.pk}/" in body
    home = _client(world, "work_secretary").get(f"/orgs/{place.branch.pk}/community/").content.decode()
    assert f"/community/registrations/{row.pk}/" in home
    assert _client(world, "outsider").get(f"/orgs/{world.branch.pk}/community/").status_code == 404


def test_a_registration_page_moves_and_tasks(world: World) -> None:
    add_workplace(world)
    worker = _client(world, "worker")
    # The member registers from their phone page, choosing among the county's community branches.
    mine = worker.get("/my/community/").content.decode()
    assert world.branch.name in mine and world.branch_b.name not in mine
    worker.post("/my/community/register/", {"community": world.branch_b.pk}, follow=True)
    assert not Registration.objects.exists()  # another county's branch is not offered nor taken
    worker.post("/my/community/register/", {"community": world.branch.pk, "residence": "3栋"})
    row = Registration.objects.get()
    secretary = _client(world, "secretary")
    page = secretary.get(f"/community/registrations/{row.pk}/").content.decode()
    assert 'id="move-accept"' in page
    home_page = _client(world, "work_secretary").get(f"/community/registrations/{row.pk}/").content.decode()
    assert 'id="move-accept"' not in home_page and 'id="task-form"' not in home_page
    secretary.post(f"/community/registrations/{row.pk}/accept/", {"version": "1"})  # stale
    assert Registration.objects.get(pk=row.pk).state == "requested"
    secretary.post(f"/community/registrations/{row.pk}/accept/", {"version": "0"})
    secretary.post(
        f"/community/registrations/{row.pk}/tasks/",
        {"title": "文明劝导", "on": "2026-05-01", "hours_expected": "2"},
    )
    one = ServiceTask.objects.get()
    worker.post(f"/community/tasks/{one.pk}/report/", {"hours": "-2", "version": "0"})
    assert ServiceTask.objects.get(pk=one.pk).state == TaskState.ASSIGNED
    worker.post(f"/community/tasks/{one.pk}/report/", {"hours": "2", "report": "劝导20人", "version": "0"})
    secretary.post(f"/community/tasks/{one.pk}/confirm/", {"note": "很好", "version": "1"})
    assert ServiceTask.objects.get(pk=one.pk).state == TaskState.CONFIRMED
    assert _client(world, "outsider").get(f"/community/registrations/{row.pk}/").status_code == 404
    assert _client(world, "colleague").get(f"/community/registrations/{row.pk}/").status_code == 404
    assert _client(world, "outsider").post(f"/community/tasks/{one.pk}/cancel/").status_code == 404


def test_the_member_page_is_linked_from_mine_and_shows_their_own(world: World) -> None:
    member = _client(world, "member_user")
    assert "/my/community/" in member.get("/my/").content.decode()
    member.post("/my/community/commitments/", {"text": "带头参加社区志愿服务"})
    row = Commitment.objects.get()
    assert row.by_member and row.member == world.member
    page = member.get("/my/community/").content.decode()
    assert "带头参加社区志愿服务" in page and 'id="register-form"' not in page  # a community branch's member


def test_refusals_are_in_chinese_and_change_nothing(world: World) -> None:
    place = add_workplace(world)
    worker = _client(world, "worker", "zh-hans")
    worker.post("/my/community/register/", {"community": place.branch.pk})
    body = worker.get("/my/community/").content.decode()
    assert "本县" in body  # its own branch is no community branch of the county
    row = accepted(world, place)
    one = task(world, place, row)
    response = worker.post(f"/community/tasks/{one.pk}/report/", {"hours": "25", "version": "0"}, follow=True)
    assert "1至24" in response.content.decode()
    assert ServiceTask.objects.get(pk=one.pk).version == 0


def test_the_api(world: World, api: Any) -> None:
    place = add_workplace(world)
    worker, secretary, outsider = api("worker"), api("secretary"), api("outsider")
    made = worker.post(f"{API}/registrations/", {"member": place.worker.pk, "community": world.branch.code})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    own = worker.post(f"{API}/registrations/", {"member": place.worker.pk, "community": world.branch.code})
    assert own.status_code == 400  # one open registration
    assert outsider.get(f"{API}/registrations/{pk}/").status_code == 404
    assert outsider.post(f"{API}/registrations/{pk}/accept/", {}).status_code == 404
    assert worker.post(f"{API}/registrations/{pk}/accept/", {}).status_code == 400
    assert secretary.post(f"{API}/registrations/{pk}/accept/", {"version": 5}).status_code == 409
    assert secretary.post(f"{API}/registrations/{pk}/accept/", {}).status_code == 200
    given = secretary.post(
        f"{API}/registrations/{pk}/tasks/", {"title": "巡逻", "on": "2026-02-01", "hours_expected": 3}
    )
    assert given.status_code == 201, given.content
    task_id = given.json()["id"]
    bad = worker.post(f"{API}/tasks/{task_id}/report/", {"hours": 30})
    assert bad.status_code == 400 and "hours" in bad.json()
    assert worker.post(f"{API}/tasks/{task_id}/report/", {"hours": 3}).json()["state"] == "reported"
    confirmed = secretary.post(f"{API}/tasks/{task_id}/confirm/", {"note": "好"})
    assert confirmed.json()["state"] == "confirmed"
    listed = api("work_secretary").get(f"{API}/registrations/").json()
    assert [r["id"] for r in listed["results"]] == [pk]
    assert api("colleague").get(f"{API}/registrations/").json()["results"] == []
    # Commitments: made by the member, edited by someone else refused.
    c = api("member_user").post(
        f"{API}/commitments/", {"member": world.member.pk, "year": 2026, "text": "守规矩"}
    )
    assert c.status_code == 201
    assert worker.patch(f"{API}/commitments/{c.json()['id']}/", {"text": "改"}).status_code == 404
    assert (
        secretary.post(f"{API}/commitments/{c.json()['id']}/assess/", {"fulfilment": "not"}).status_code
        == 400
    )
    assert (
        secretary.post(
            f"{API}/commitments/publish/", {"organization": world.branch.code, "year": 2026}
        ).status_code
        == 200
    )
    assert FeedItem.objects.filter(organization=world.branch, kind=FeedKind.COMMITMENTS).count() == 1
    # Pairings: phone masked.
    p = secretary.post(
        f"{API}/pairings/",
        {
            "organization": world.branch.code,
            "member": world.member.pk,
            "head_name": "陈大爷",
            "address": "5号",
            "phone": "13912345678",
            "difficulty": "独居",
        },
    )
    assert p.status_code == 201 and p.json()["phone"] == mask_phone("13912345678")
    assert api("member_user").post(
        f"{API}/pairings/{p.json()['id']}/visits/", {"on": "2026-12-01", "note": "送米"}
    ).status_code in (201, 400)
    assert outsider.get(f"{API}/pairings/{p.json()['id']}/").status_code == 404


def test_a_pairing_keeps_the_phone_encrypted_and_shows_it_masked(world: World) -> None:
    row = services.create_pairing(
        world.branch,
        world.member,
        {
            "head_name": "陈大爷",
            "address": "定王台街道5号",
            "phone": "13912345678",
            "difficulty": "独居",
            "started_on": date(2026, 1, 1),
        },
        acting_user=world.secretary,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM community_pairing WHERE id = %s", [row.pk])
        phone, address = cursor.fetchone()
    assert "13912345678" not in phone and "定王台" not in address
    page = _client(world, "secretary").get(f"/community/pairings/{row.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    services.log_visit(row, date(2026, 2, 1), "送米送油", acting_user=world.member_user)
    services.end_pairing(row, "已脱困", acting_user=world.secretary)
    assert Pairing.objects.get(pk=row.pk).state == "ended"
