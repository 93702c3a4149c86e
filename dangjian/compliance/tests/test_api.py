"""The compliance API: matrix and checklist by organization code and year, scoped."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.testing.world import World

from . import test_pages
from .test_pages import _add_branches

# The small measured world of the page tests (fixtures shared by name).
dues_metric = test_pages.dues_metric
measured = test_pages.measured

Api = Callable[[str], APIClient]


def test_matrix_of_the_township(measured: World, api: Api) -> None:
    response = api("county_staff").get(f"/api/v1/compliance/?year=2026&org={measured.township.code}")
    assert response.status_code == 200
    data = response.json()
    assert [r["code"] for r in data["rules"]] == ["assembly", "lecture", "terms", "dues"]
    assert [(r["name"], r["met"], r["applicable"], r["percent_met"]) for r in data["rows"]] == [
        ("第一党支部", 3, 4, 75),
        ("第二党支部", 1, 4, 25),
    ]
    assert data["rows"][1]["rules"][0]["overdue"] == 1
    assert data["most_overdue"][0] == {"code": measured.branch2.code, "name": "第二党支部", "overdue": 2}
    assert data["terms_overdue"] == [
        {"code": measured.branch2.code, "name": "第二党支部", "term_due_end": "2026-01-01"}
    ]
    assert data["dues_at_risk"] == [{"code": measured.branch.code, "name": "第一党支部", "members": 1}]
    assert data["trend"][0]["month"] == 5
    filtered = api("county_staff").get(
        f"/api/v1/compliance/?year=2026&org={measured.township.code}&kind=committee"
    )
    assert filtered.json()["rows"] == []


def test_checklist(measured: World, api: Api) -> None:
    response = api("member_user").get(f"/api/v1/compliance/checklist/?year=2026&org={measured.branch.code}")
    assert response.status_code == 200
    items = {i["rule"]: i for i in response.json()["items"]}
    assert items["assembly"]["status"] == "met" and items["assembly"]["progress"] == "2 of 4 quarters met"
    assert items["assembly"]["due_on"] == "2026-09-30"  # this quarter is met: the next one is due
    assert items["online"]["status"] == "not_measured" and items["online"]["value"] is None
    assert items["dues"]["status"] == "overdue"


@pytest.mark.parametrize(
    ("persona", "org", "status"),
    [
        ("county_staff", "county", 200),
        ("province_staff", "county", 200),
        ("outsider", "county", 404),
        ("outsider", "branch", 404),
        ("member_user", "township", 404),
        ("secretary", "branch2", 404),
    ],
)
def test_scope(measured: World, api: Api, persona: str, org: str, status: int) -> None:
    code = getattr(measured, org).code
    for path in ("/api/v1/compliance/", "/api/v1/compliance/checklist/"):
        assert api(persona).get(f"{path}?year=2026&org={code}").status_code == status


def test_unknown_code_reads_like_one_outside(measured: World, api: Api) -> None:
    assert api("province_staff").get("/api/v1/compliance/?year=2026&org=999999").status_code == 404


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("org=430102", {"year": ["Give the year, e.g. year=2017."]}),
        ("year=abc&org=430102", {"year": ["The year must be a number between 2000 and 2100."]}),
        ("year=1999&org=430102", {"year": ["The year must be a number between 2000 and 2100."]}),
        ("year=2026", {"org": ["Give the organization's code."]}),
        ("year=2026&org=430102&sector=moon", {"sector": ["Not one of the choices."]}),
        ("year=2026&org=430102&yaer=2026", {"yaer": ["Unknown parameter."]}),
    ],
)
def test_bad_parameters_are_400_with_the_field(measured: World, api: Api, query: str, errors: Any) -> None:
    response = api("county_staff").get(f"/api/v1/compliance/?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_anonymous_is_refused(measured: World) -> None:
    assert APIClient().get(f"/api/v1/compliance/?year=2026&org={measured.county.code}").status_code in (
        401,
        403,
    )


def test_api_query_budget(measured: World, api: Api) -> None:
    client = api("county_staff")
    url = f"/api/v1/compliance/?year=2026&org={measured.township.code}"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm the grant cache
    before = count()
    _add_branches(measured, 4)
    assert count() == before <= 15  # a savepoint pair and SET LOCAL on PostgreSQL included
