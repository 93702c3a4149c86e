"""The yearly development plan: set by the level above the grassroots committee, checked at the
approval (step 17) — one under the plan passes, the plan reached is refused until the plan is
changed —, shown up the tree in constant queries, and measured by the standing rule."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.roles import Role
from dangjian.compliance import metrics
from dangjian.compliance.sources.development_plan import beyond_plan
from dangjian.core.exceptions import OutOfScope
from dangjian.development.models import Applicant, Plan, Stage
from dangjian.development.plans import admitted_by, admitted_count_subquery, committee_of, grassroots
from dangjian.development.services import set_plan
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_org, make_user

from .helpers import days_ago, id_number, register, take, township_staff, up_to

pytestmark = pytest.mark.django_db

YEAR = days_ago(40).year  # the year of the helpers' approval (step 17)


def plan_for(world: World, admissions: int, **targets: Any) -> Plan | None:
    return set_plan(
        world.township, YEAR, {"admissions": admissions, **targets}, acting_user=world.county_staff
    )


def ready(world: World, **extra: Any) -> Applicant:
    """A candidate whose next step is the approval."""
    return up_to(world, register(world, **extra), 16)


def approve(world: World, applicant: Applicant) -> Any:
    return take(world, applicant, 17)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


# --- the approval against the plan -------------------------------------------------------------


def test_one_under_the_plan_passes_the_plan_reached_is_refused_until_changed(world: World) -> None:
    first, second = ready(world), ready(world)
    plan_for(world, 1)
    approve(world, first)  # 0 admitted, plan 1: one under
    assert Applicant.objects.get(pk=first.pk).stage == Stage.ADMITTED
    with pytest.raises(ValidationError) as exc:
        approve(world, second)  # 1 admitted, plan 1: reached
    assert exc.value.code == "plan"
    assert "beyond the development plan need the plan changed first" in exc.value.messages[0]
    assert "allows 1 and 1 are approved already" in exc.value.messages[0]
    second.refresh_from_db()
    assert second.stage == Stage.ADMISSION and second.member is None and second.last_step == 16
    plan = Plan.objects.get(organization=world.township, year=YEAR)
    set_plan(
        world.township, YEAR, {"admissions": 2}, expected_version=plan.version, acting_user=world.county_staff
    )
    approve(world, second)  # 1 admitted, plan 2: the last place, the plan exactly reached after
    assert admitted_by(world.township, YEAR).count() == 2


def test_a_plan_of_none_refuses_the_first_approval(world: World) -> None:
    applicant = ready(world)
    plan_for(world, 0)
    with pytest.raises(ValidationError, match="allows 0 and 0"):
        approve(world, applicant)


def test_without_a_plan_the_approval_goes_ahead_and_the_rule_finds_it(world: World) -> None:
    applicant = ready(world)
    approve(world, applicant)
    assert Applicant.objects.get(pk=applicant.pk).stage == Stage.ADMITTED
    assert list(beyond_plan(YEAR, days_ago(0))) == [{"id": world.township.pk}]
    plan_for(world, 1)
    assert list(beyond_plan(YEAR, days_ago(0))) == []


def test_the_plan_cannot_go_below_the_admissions_already_approved(world: World) -> None:
    plan_for(world, 3)
    approve(world, ready(world))
    with pytest.raises(ValidationError, match="already admitted 1"):
        plan_for(world, 0)  # one over: 1 admitted, plan 0
    plan_for(world, 1)  # exactly the admissions: allowed
    assert Plan.objects.get(organization=world.township, year=YEAR).admissions == 1


def test_admissions_count_against_the_nearest_committee_only(world: World) -> None:
    # The county leads a branch of its own besides the township: it is a grassroots committee
    # too, and the township's admissions are not the county's.
    own = make_org(world.county, "区直机关第一党支部", "430102900001", "branch")
    assert {o.pk for o in grassroots(world.county)} == {world.county.pk, world.township.pk}
    assert committee_of(world.branch) == world.township and committee_of(own) == world.county
    approve(world, ready(world))
    assert admitted_by(world.township, YEAR).count() == 1
    assert admitted_by(world.county, YEAR).count() == 0
    counted = dict(
        Organization.objects.filter(pk__in=[world.county.pk, world.township.pk, world.city.pk])
        .annotate(n=admitted_count_subquery(YEAR))
        .values_list("pk", "n")
    )
    assert counted.get(world.township.pk) == 1 and not counted.get(world.county.pk)


# --- setting the plan ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"admissions": 5, "women": 6}, r"cannot exceed the admissions planned \(5\)"),
        ({"admissions": 5, "college": 6}, "college-educated"),
        ({"admissions": -1}, "whole number of zero or more"),
        ({"admissions": ""}, "admissions"),
        ({"admissions": "x"}, "admissions"),
        ({"admissions": 5, "under_35": -2}, "under 35"),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_set(world: World, data: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        set_plan(world.township, YEAR, data, acting_user=world.county_staff)
    assert not Plan.objects.exists()


def test_targets_equal_to_the_admissions_are_accepted(world: World) -> None:
    plan = plan_for(world, 5, women=5, under_35=5, frontline=5, college=5, nonpublic=5)
    assert plan is not None and plan.version == 1 and plan.set_by == world.county_staff


@pytest.mark.parametrize("year", [1999, YEAR + 2])
def test_a_year_out_of_range_is_refused(world: World, year: int) -> None:
    with pytest.raises(ValidationError, match="from 2000 to next year"):
        set_plan(world.township, year, {"admissions": 1}, acting_user=world.county_staff)


def test_only_grassroots_committees_have_plans(world: World) -> None:
    with pytest.raises(ValidationError, match="not a grassroots committee"):
        set_plan(world.county, YEAR, {"admissions": 1}, acting_user=world.province_staff)


def test_a_stale_page_is_refused_and_an_unchanged_plan_is_not_rewritten(world: World) -> None:
    plan_for(world, 3)
    with pytest.raises(ValidationError, match="changed by someone else"):
        set_plan(world.township, YEAR, {"admissions": 4}, expected_version=0, acting_user=world.county_staff)
    assert (
        set_plan(world.township, YEAR, {"admissions": 3}, expected_version=1, acting_user=world.county_staff)
        is None
    )
    assert Plan.objects.get().version == 1


OK, ACTOR, HIDDEN = "ok", "actor", "404"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("county_staff", OK),
        ("province_staff", OK),
        ("township_staff", ACTOR),  # its own plan is set by the level above
        ("secretary", HIDDEN),
        ("member_user", HIDDEN),
        ("outsider", HIDDEN),
        ("sysadmin", HIDDEN),
    ],
)
def test_who_sets_the_township_plan(world: World, persona: str, expected: str) -> None:
    township_staff(world)
    user = world.users[persona]
    try:
        set_plan(world.township, YEAR, {"admissions": 2}, acting_user=user)
    except OutOfScope:
        outcome = HIDDEN
    except ValidationError as exc:
        assert exc.code == "actor", exc.messages
        outcome = ACTOR
    else:
        outcome = OK
    assert outcome == expected
    assert Plan.objects.exists() == (expected == OK)


# --- the pages -----------------------------------------------------------------------------------


def test_the_county_sets_its_committees_plans_in_one_table(world: World) -> None:
    second = make_org(world.county, "东湖街道党工委", "430102002", "working_committee", "community")
    make_org(second, "东湖第一党支部", "430102002001", "branch", "community")
    client = client_for(world.county_staff)
    url = f"/orgs/{world.county.pk}/development/plan/edit/?year={YEAR}"
    page = client.get(url).content.decode()
    assert f'name="c{world.township.pk}-admissions"' in page and f'name="c{second.pk}-admissions"' in page
    t, s = f"c{world.township.pk}", f"c{second.pk}"
    bad = {"year": YEAR, f"{t}-admissions": "4", f"{t}-women": "2", f"{t}-version": "0"}
    bad |= {f"{s}-admissions": "1", f"{s}-women": "3", f"{s}-version": "0"}
    response = client.post(url, bad)
    assert response.status_code == 200 and "东湖街道党工委" in response.content.decode()
    assert not Plan.objects.exists()  # all or none
    good = {**bad, f"{s}-women": "1", f"{s}-note": "含两新组织"}
    response = client.post(url, good)
    assert response.status_code == 302 and response["Location"].endswith(f"?year={YEAR}")
    assert {p.organization_id: p.admissions for p in Plan.objects.all()} == {
        world.township.pk: 4,
        second.pk: 1,
    }
    assert Plan.objects.get(organization=second).note == "含两新组织"


def test_the_township_sees_its_plan_but_cannot_post_it(world: World) -> None:
    plan_for(world, 2)
    client = client_for(township_staff(world))
    page = client.get(f"/orgs/{world.township.pk}/development/plan/edit/?year={YEAR}").content.decode()
    assert f'name="c{world.township.pk}-admissions"' not in page and "set by the level above" in page
    url = f"/orgs/{world.township.pk}/development/plan/edit/"
    assert client.post(url, {"year": YEAR, f"c{world.township.pk}-admissions": "9"}).status_code == 404
    assert Plan.objects.get().admissions == 2


@pytest.mark.parametrize("persona", ["secretary", "outsider", "member_user", "sysadmin"])
def test_the_committee_pages_are_404_outside(world: World, persona: str) -> None:
    client = client_for(world.users[persona])
    for path in ("plan/", "plan/edit/", "waiting/"):
        assert client.get(f"/orgs/{world.township.pk}/development/{path}").status_code == 404
    response = client.post(
        f"/orgs/{world.county.pk}/development/plan/edit/",
        {"year": YEAR, f"c{world.township.pk}-admissions": "1"},
    )
    assert response.status_code == 404 and not Plan.objects.exists()


def test_the_dashboard_up_the_tree_in_constant_queries(world: World) -> None:
    plan_for(world, 3, women=2, under_35=1)
    approve(
        world, ready(world, id_number=id_number(gender="female"))
    )  # the helpers' person: born 1998, a worker, bachelor
    up_to(world, register(world), 3)  # an activist
    client = client_for(world.province_staff)
    url = f"/orgs/{world.city.pk}/development/plan/?year={YEAR}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    row = page.split(f'id="plan-row-{world.county.pk}"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<")[0].strip() for c in row.split("<td")[2:]]
    # plan, admitted, women, under 35, front line, college, non-public, then the four stages
    assert cells[:2] == ["3", "1"]
    assert row.count("1 / 2") == 1 and "(100%)" in row and "0 / 0" in row
    assert cells[-4:] == ["0", "1", "0", "0"]
    for n in range(3):
        township = make_org(world.city, f"新区{n}", f"4301909{n:02d}", "committee")
        branch = make_org(township, f"新区{n}支部", f"4301909{n:02d}001", "branch")
        set_plan(township, YEAR, {"admissions": 1}, acting_user=world.province_staff)
        assert branch.pk
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    total = page.split('id="plan-row-total"')[1].split("</tr>")[0]
    assert ">6<" in total.replace(" ", "")  # 3 + 3 × 1 planned


def test_the_organization_page_links_to_the_plan(world: World) -> None:
    page = client_for(world.county_staff).get(f"/orgs/{world.county.pk}/").content.decode()
    assert f"/orgs/{world.county.pk}/development/plan/" in page
    page = client_for(world.secretary).get(f"/orgs/{world.branch.pk}/").content.decode()
    assert "/development/plan/" not in page


def test_the_steps_waiting_for_the_committee(world: World) -> None:
    activist = up_to(world, register(world), 3)
    candidate = ready(world)
    up_to(world, register(world), 5)  # the branch's turn: not listed
    client = client_for(township_staff(world))
    url = f"/orgs/{world.township.pk}/development/waiting/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert page.count("/development/") - page.count("/development/waiting") >= 2
    assert f"/development/{activist.pk}/" in page and f"/development/{candidate.pk}/" in page
    assert "Approval by the committee above" in page and "Activist filed" in page
    for _ in range(2):
        up_to(world, register(world), 3)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    home = client_for(township_staff(world)).get("/").content.decode()
    assert url in home


def test_the_plan_rule_is_registered_for_the_standing_set(world: World) -> None:
    metric = metrics.get("development.beyond_plan")
    assert metric.shape == "state"
    from pathlib import Path

    standing = (Path(__file__).resolve().parents[2] / "compliance/rulesets/standing.yaml").read_text()
    assert "code: development-within-plan" in standing and "metric: development.beyond_plan" in standing


def test_township_staff_may_also_be_made(world: World) -> None:
    # A second committee's staff is an outsider to the township's plan.
    other = make_org(world.county, "东湖街道党工委", "430102002", "working_committee", "community")
    staff = make_user("east_staff", Role.COMMITTEE_STAFF, other)
    with pytest.raises(OutOfScope):
        set_plan(world.township, YEAR, {"admissions": 1}, acting_user=staff)


def test_the_pages_and_the_refusal_in_chinese(world: World) -> None:
    plan_for(world, 0)
    applicant = ready(world)
    client = Client()
    client.force_login(township_staff(world))
    response = client.post(
        f"/development/{applicant.pk}/steps/17/",
        {"s17-on": days_ago(40).isoformat(), "version": applicant.version},
        follow=True,
    )
    assert "超计划发展党员须先调整计划" in response.content.decode()
    assert Applicant.objects.get(pk=applicant.pk).stage == Stage.ADMISSION
    client.force_login(world.county_staff)
    page = client.get(f"/orgs/{world.county.pk}/development/plan/?year={YEAR}").content.decode()
    assert f"{YEAR}年发展党员计划" in page and "大专及以上学历" in page
    page = client.get(f"/orgs/{world.county.pk}/development/plan/edit/?year={YEAR}").content.decode()
    assert "每个基层党委" in page


def test_the_home_counts_the_steps_waiting_for_the_organization_itself(world: World) -> None:
    """The township is the level above its branches: their approvals wait for it, and its home
    counts them; the county's home does not count its townships' work (its page lists it)."""
    from dangjian.development.plans import waiting_above, waiting_for

    a = up_to(world, register(world), 16)
    assert list(waiting_for(world.township)) == [a]
    assert list(waiting_for(world.county)) == []
    assert a in list(waiting_above(world.county))
