"""The board, the person's page and the registration form, as the branch secretary and the
committee above use them; the board's queries do not grow with the people on it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.development.models import Applicant, Stage
from dangjian.testing.world import World

from .helpers import days_ago, id_number, register, township_staff, up_to

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_organization_page_links_to_the_board(world: World) -> None:
    page = client_for(world.secretary).get(f"/orgs/{world.branch.pk}/").content.decode()
    assert f"/orgs/{world.branch.pk}/development/" in page
    member_page = client_for(world.member_user).get(f"/orgs/{world.branch.pk}/").content.decode()
    assert "/development/" not in member_page


def test_register_an_application_from_the_form(world: World) -> None:
    client = client_for(world.secretary)
    assert client.get(f"/orgs/{world.branch.pk}/development/new/").status_code == 200
    data = {
        "name": "孙一",
        "id_number": id_number(),
        "ethnicity": "汉族",
        "education": "bachelor",
        "occupation": "farmer",
        "phone": "13900001111",
        "applied_on": days_ago(3).isoformat(),
    }
    response = client.post(f"/orgs/{world.branch.pk}/development/new/", data)
    applicant = Applicant.objects.get(name="孙一")
    assert response.status_code == 302 and response["Location"] == f"/development/{applicant.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "孙一" in page and applicant.id_number not in page and applicant.id_number_masked in page
    assert "step-form-2" in page  # the talk is the next step, and the secretary records it
    bad = client.post(f"/orgs/{world.branch.pk}/development/new/", {**data, "name": "孙二"})
    assert "处于发展程序中" in bad.content.decode()
    assert not Applicant.objects.filter(name="孙二").exists()


def test_record_a_step_and_see_refusals_on_the_page(world: World) -> None:
    applicant = register(world, applied_on=days_ago(10))
    client = client_for(world.secretary)
    url = f"/development/{applicant.pk}/steps/2/"
    response = client.post(
        url,
        {"s2-on": days_ago(-1).isoformat(), "s2-actor": "王书记", "version": applicant.version},
        follow=True,
    )
    assert Applicant.objects.get(pk=applicant.pk).last_step == 1
    client.post(url, {"s2-on": days_ago(2).isoformat(), "s2-actor": "王书记", "version": applicant.version})
    assert Applicant.objects.get(pk=applicant.pk).last_step == 2
    stale = client.post(
        url.replace("/2/", "/3/"),
        {"s3-on": days_ago(1).isoformat(), "s3-recommendation": "members", "version": applicant.version},
        follow=True,
    )
    assert Applicant.objects.get(pk=applicant.pk).stage == Stage.APPLICANT
    assert response.status_code == 200 and stale.status_code == 200


def test_the_committee_above_sees_its_steps_not_the_branch_forms(world: World) -> None:
    applicant = up_to(world, register(world), 3)
    staff = township_staff(world)
    page = client_for(staff).get(f"/development/{applicant.pk}/").content.decode()
    assert "step-form-4" in page
    page = client_for(world.secretary).get(f"/development/{applicant.pk}/").content.decode()
    assert "step-form-4" not in page


def test_the_board_shows_everyone_by_stage_in_constant_queries(world: World) -> None:
    client = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/development/"
    first = register(world, applied_on=days_ago(60))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "first" not in page and first.name in page
    for _ in range(4):
        up_to(world, register(world, applied_on=days_ago(900)), 3)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count("/development/") >= 5
    assert "逾期" in page  # the first applicant's talk was due a month after the application


def test_objections_recorded_and_answered_on_the_page(world: World) -> None:
    applicant = up_to(world, register(world), 12)
    client = client_for(township_staff(world))
    page = client.get(f"/development/{applicant.pk}/").content.decode()
    assert "objection-form" in page
    client.post(
        f"/development/{applicant.pk}/objections/",
        {"received_on": days_ago(436).isoformat(), "text": "群众反映其曾参与赌博"},
    )
    objection = applicant.objections.get()
    assert objection.answered_on is None
    client.post(
        f"/development/{applicant.pk}/objections/{objection.pk}/answer/",
        {"answered_on": days_ago(433).isoformat(), "answer": "经调查不属实"},
    )
    objection.refresh_from_db()
    assert objection.answer == "经调查不属实"
    page = client.get(f"/development/{applicant.pk}/").content.decode()
    assert "经调查不属实" in page and "step-form-13" in page
