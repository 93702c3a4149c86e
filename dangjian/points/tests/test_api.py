"""The points API: rules, entries (claim, approve, reject), the member's ledger, the branch's
table, accrual; scope and strict input; the `dangjian points` command."""

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from rest_framework.test import APIClient

from dangjian.core.scoping import SYSTEM
from dangjian.points.accrual import accrue
from dangjian.points.models import EntryState, PointEntry, PointRule
from dangjian.points.services import approve_entry
from dangjian.testing.world import World

from .helpers import YEAR, claim, held, standard_rules

Api = Callable[[str], APIClient]


def test_rules(api: Api, world: World) -> None:
    county = api("county_staff")
    response = county.post(
        "/api/v1/points/rules/",
        {
            "committee": world.township.pk,
            "year": YEAR,
            "rule_kind": "theme_day",
            "name": "参加主题党日",
            "points": 2,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rule_kind"], body["cap_period"], body["committee_name"]) == (
        "theme_day",
        "",
        "定王台街道党工委",
    )
    pk = body["id"]
    bad = county.post(
        "/api/v1/points/rules/",
        {
            "committee": world.township.pk,
            "year": YEAR,
            "rule_kind": "theme_day",
            "name": "主题党日2",
            "points": 1,
        },
    )
    assert bad.status_code == 400 and "kind" in bad.json()
    assert county.post("/api/v1/points/rules/", {"kind": "manual"}).json()["kind"] == ["Unknown field."]
    patched = county.patch(
        f"/api/v1/points/rules/{pk}/", {"points": 3, "cap_points": 6, "cap_period": "month"}
    )
    assert patched.status_code == 200 and (patched.json()["points"], patched.json()["cap_points"]) == (3, 6)
    # A member may read the rules of the committees above? Only within view scope: the branch's.
    assert api("member_user").get(f"/api/v1/points/rules/{pk}/").status_code == 404
    assert api("outsider").get(f"/api/v1/points/rules/{pk}/").status_code == 404
    listed = county.get(f"/api/v1/points/rules/?org=430102001&year={YEAR}").json()["results"]
    assert [r["name"] for r in listed] == ["参加主题党日"]
    # The branch's secretary cannot write the township's rules.
    refused = api("secretary").post(
        "/api/v1/points/rules/",
        {
            "committee": world.township.pk,
            "year": YEAR,
            "rule_kind": "manual",
            "name": "好人好事",
            "points": 3,
        },
    )
    assert refused.status_code == 400 and "committee" in refused.json()


def test_entries_claim_approve_reject(api: Api, world: World) -> None:
    rules = standard_rules(world.township)
    member = api("member_user")
    claim = {
        "member": world.member.pk,
        "rule": rules["volunteer"].pk,
        "quantity": 4,
        "occurred_on": f"{YEAR}-06-01",
        "reason": "敬老院服务",
    }
    response = member.post("/api/v1/points/entries/", claim)
    assert response.status_code == 201, response.json()
    entry = response.json()
    assert (entry["entry_state"], entry["points"], entry["source_type"]) == ("proposed", 4, "manual")
    # Someone else's entry is not the member's to add; a list of named entries needs change scope.
    other = member.post("/api/v1/points/entries/", {**claim, "member": world.member2.pk})
    assert other.status_code == 400 and "member" in other.json()
    assert member.get("/api/v1/points/entries/").json()["results"] == []
    secretary = api("secretary")
    assert [
        e["id"] for e in secretary.get("/api/v1/points/entries/?entry_state=proposed").json()["results"]
    ] == [entry["id"]]
    approved = secretary.post(f"/api/v1/points/entries/{entry['id']}/approve/", {"note": "属实"})
    assert approved.status_code == 200 and approved.json()["entry_state"] == "approved"
    again = secretary.post(f"/api/v1/points/entries/{entry['id']}/reject/", {"note": "x"})
    assert again.status_code == 400
    deed = secretary.post(
        "/api/v1/points/entries/",
        {
            "member": world.member2.pk,
            "rule": rules["deed"].pk,
            "occurred_on": f"{YEAR}-07-01",
            "reason": "拾金不昧",
        },
    ).json()
    assert secretary.post(f"/api/v1/points/entries/{deed['id']}/approve/", {}).status_code == 400  # own entry
    assert (
        api("outsider").post(f"/api/v1/points/entries/{deed['id']}/reject/", {"note": "x"}).status_code == 404
    )
    assert api("county_staff").post(f"/api/v1/points/entries/{deed['id']}/reject/", {}).status_code == 400
    rejected = api("county_staff").post(f"/api/v1/points/entries/{deed['id']}/reject/", {"note": "不属实"})
    assert rejected.json()["entry_state"] == "rejected"
    assert PointEntry.objects.get(pk=deed["id"]).state == EntryState.REJECTED


def test_mine_table_accrue(api: Api, world: World) -> None:
    standard_rules(world.township)
    meeting = held(
        world.branch, "branch_assembly", date(YEAR, 3, 3), {world.member: "present", world.member2: "absent"}
    )
    assert (
        api("member_user").post("/api/v1/points/accrue/", {"org": "430102001001", "year": YEAR}).status_code
        == 404
    )
    assert api("secretary").post("/api/v1/points/accrue/", {"org": "430102001001"}).status_code == 400
    result = api("secretary").post("/api/v1/points/accrue/", {"org": "430102001001", "year": YEAR})
    assert result.json() == {
        "organization": "430102001001",
        "year": YEAR,
        "created": 2,
        "points": 0,
        "removed": 0,
    }
    mine = api("member_user").get(f"/api/v1/points/mine/?year={YEAR}").json()
    assert (mine["total"], mine["rank"], mine["ranked"]) == (2, 1, 2)
    assert mine["entries"][0]["source_url"] == f"/meetings/{meeting.pk}/"
    assert api("county_staff").get("/api/v1/points/mine/").status_code == 404
    table = api("secretary").get(f"/api/v1/points/table/?org=430102001001&year={YEAR}").json()
    assert [(m["name"], m["total"], m["rank"]) for m in table["members"]] == [("张伟", 2, 1), ("李娜", -2, 2)]
    assert table["members"][1]["by_kind"]["absence"] == -2
    assert api("member_user").get("/api/v1/points/table/?org=430102001001").status_code == 404
    assert api("outsider").get("/api/v1/points/table/?org=430102001001").status_code == 404
    assert api("secretary").get("/api/v1/points/table/?org=430102001001&year=1999").status_code == 400


def test_entry_list_query_budget(api: Api, world: World, django_assert_max_num_queries: Any) -> None:
    standard_rules(world.township)
    for month in (1, 2, 3, 4, 5):
        held(
            world.branch,
            "party_lecture",
            date(YEAR, month, 2),
            {world.member: "present", world.member2: "present"},
        )
    api("secretary").post("/api/v1/points/accrue/", {"org": "430102001001", "year": YEAR})
    client = api("secretary")
    with django_assert_max_num_queries(4):
        rows = client.get("/api/v1/points/entries/?page_size=100").json()["results"]
    assert len(rows) == 10


def test_mine_query_budget(api: Api, world: World, django_assert_max_num_queries: Any) -> None:
    """The member's own ledger costs the same for 2 entries or 12 (no query per entry)."""
    rules = standard_rules(world.township)
    everyone = {world.member: "present", world.member2: "present"}
    held(world.branch, "party_lecture", date(YEAR, 1, 2), everyone)
    accrue(world.township, YEAR, acting_user=SYSTEM)
    approve_entry(claim(world.member, rules["deed"], by=world.member_user), acting_user=world.secretary)
    client = api("member_user")
    client.get(f"/api/v1/points/mine/?year={YEAR}")  # warm the session
    with django_assert_max_num_queries(20) as few:
        assert len(client.get(f"/api/v1/points/mine/?year={YEAR}").json()["entries"]) == 2
    for month in range(2, 12):
        held(world.branch, "theme_day", date(YEAR, month, 2), everyone)
        accrue(world.township, YEAR, acting_user=SYSTEM)
    with django_assert_max_num_queries(len(few.captured_queries)):
        mine = client.get(f"/api/v1/points/mine/?year={YEAR}").json()
    assert len(mine["entries"]) == 12
    assert [e["created_by"] for e in mine["entries"]].count("member_user") == 1


def test_cli(world: World, tmp_path: Path) -> None:
    standard_rules(world.township)
    held(world.branch, "theme_day", date(YEAR, 4, 1), {world.member: "present", world.member2: "present"})
    out = StringIO()
    call_command("points", "accrue", "--org", "430102", "--year", str(YEAR), stdout=out)
    assert "2 new entries (+4 points), 0 removed" in out.getvalue()
    out = StringIO()
    call_command("points", "accrue", "--org", "430102", "--year", str(YEAR), stdout=out)
    assert "0 new entries" in out.getvalue()
    target = tmp_path / "points.xlsx"
    call_command(
        "points",
        "totals",
        "--org",
        "430102001001",
        "--year",
        str(YEAR),
        "--out",
        str(target),
        stdout=StringIO(),
    )
    assert load_workbook(target).active.max_row == 4
    with pytest.raises(CommandError):
        call_command("points", "accrue", "--org", "nope", "--year", str(YEAR))
    with pytest.raises(CommandError, match="year"):
        call_command("points", "accrue", "--org", "430102", "--year", "1999")
    assert PointRule.objects.count() == 6
