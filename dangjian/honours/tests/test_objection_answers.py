"""An objector is told the committee's answer: one notification, in Chinese, to the account that
raised the objection only, linking to the honours page of their own branch, where they read it."""

from typing import Any

from django.test import Client

from dangjian.honours import services
from dangjian.honours.models import Objection
from dangjian.notifications.models import Notification
from dangjian.testing.world import World

from .test_pages import _on_notice


def _objection(world: World, text: str = "群众反映不实") -> Any:
    call, nomination = _on_notice(world)
    objection = services.raise_objection(nomination, text, acting_user=world.member_user)
    return call, nomination, objection


def test_the_objector_is_told_the_answer_and_reads_it_on_their_branch_page(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    call, _nomination, objection = _objection(world)
    assert not Notification.objects.exists()  # nothing until it is answered
    county = Client()
    county.force_login(world.county_staff)
    with django_capture_on_commit_callbacks(execute=True):
        county.post(
            f"/honour-calls/{call.pk}/objections/{objection.pk}/answer/", {"answer": "经核实，反映不实"}
        )
    [note] = Notification.objects.all()
    assert note.user == world.member_user
    assert world.member2.name in note.title and "异议" in note.title  # Chinese, whoever answered
    assert "不成立" in note.body
    assert "经核实，反映不实" in note.body
    assert note.url == f"/orgs/{world.branch.pk}/honour-calls/#my-objections"
    member = Client()
    member.force_login(world.member_user)
    page = member.get(note.url.split("#")[0]).content.decode()
    assert 'id="my-objections"' in page and "经核实，反映不实" in page and "群众反映不实" in page
    # Nobody else reads another's objection there (objectors are not named on the pages).
    secretary = Client()
    secretary.force_login(world.secretary)
    assert 'id="my-objections"' not in secretary.get(note.url.split("#")[0]).content.decode()
    # Answered once: a second answer is refused, and nobody is told twice.
    county.post(f"/honour-calls/{call.pk}/objections/{objection.pk}/answer/", {"answer": "再答"})
    assert Notification.objects.count() == 1 and Objection.objects.get().answer == "经核实，反映不实"


def test_an_upheld_objection_tells_the_objector_the_approval_is_withdrawn(world: World) -> None:
    _call, nomination, objection = _objection(world, "事迹有虚报")
    services.answer_objection(objection, "经核实，部分事迹不实", upheld=True, acting_user=world.county_staff)
    note = Notification.objects.get(user=world.member_user)
    assert "撤销" in note.body and "经核实，部分事迹不实" in note.body
    nomination.refresh_from_db()
    assert nomination.state == "rejected"


def test_a_refused_answer_tells_nobody(world: World) -> None:
    call, _nomination, objection = _objection(world)
    outsider = Client()
    outsider.force_login(world.outsider)
    assert (
        outsider.post(
            f"/honour-calls/{call.pk}/objections/{objection.pk}/answer/", {"answer": "x"}
        ).status_code
        == 404
    )
    secretary = Client()
    secretary.force_login(world.secretary)  # reads the branch, does not answer for the county
    secretary.post(f"/honour-calls/{call.pk}/objections/{objection.pk}/answer/", {"answer": "x"})
    assert not Notification.objects.exists() and not Objection.objects.get().is_answered
