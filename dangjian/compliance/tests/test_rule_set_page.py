"""The rule-set page: what applies at an organization, its source files, and loading a file from
the browser (scoped to the organization's subtree, every problem shown, nothing half stored)."""

import html
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.testing.world import World

from ..models import Rule, RuleSet
from .factories import load
from .test_pages import client_for

YEAR = 2026
COUNTY_RULES = """
code: furong-2026
name: 芙蓉区2026年工作要点
year: 2026
scope: "430102"
rules:
  - {code: lecture, point: 1, title: 每年至少一次党课, title_en: A party lecture a year,
     kind: count, metric: meetings.party_lecture, period: year, min: 1}
  - {code: online, point: 2, title: 网上党支部, title_en: Online branch, kind: not_measured}
"""
THREE_ERRORS = """
code: furong-broken
name: 有错的要点
year: 2026
scope: "430102"
rules:
  - {code: lecture, title: 党课, kind: count, metric: meetings.party_lecture, period: year, min: 0}
  - {code: assembly, title: 党员大会, kind: count, metric: meetings.no_such_meeting, period: year, min: 1}
  - {code: report, title: 报告, kind: deadline, metrics: [meetings.party_lecture], due: 13-45}
"""
PROVINCE_RULES = """
code: province-points
name: 全省要点
scope: "430000"
rules:
  - {code: online, title: 网上党支部, kind: not_measured}
"""
OTHER_COUNTY_RULES = """
code: tianxin-2026
name: 天心区要点
year: 2026
scope: "430103"
rules:
  - {code: online, title: 网上党支部, kind: not_measured}
"""

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def url(org: Any, **query: Any) -> str:
    base = reverse("org_rule_sets", args=[org.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def upload(client: Client, org: Any, body: str | bytes, name: str = "points.yaml", **kw: Any) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return client.post(url(org, year=YEAR), {"file": SimpleUploadedFile(name, data)}, **kw)


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def last_load() -> AuditEntry | None:
    return AuditEntry.objects.filter(action="compliance.ruleset.load", success=True).last()


def test_county_staff_loads_a_scoped_file(
    world: World, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    client = client_for(world, "county_staff")
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, world.county, COUNTY_RULES)
    assert response.status_code == 302
    assert response["Location"] == url(world.county, year=YEAR)
    assert len(callbacks) == 1  # the recompute is queued after commit
    rule_set = RuleSet.objects.get(code="furong-2026")
    assert (rule_set.version, rule_set.active, rule_set.scope, rule_set.year) == (1, True, world.county, 2026)
    assert rule_set.loaded_by == world.users["county_staff"]
    assert rule_set.source_name == "points.yaml"
    assert rule_set.rules.count() == 2
    entry = last_load()
    assert entry is not None and entry.actor_name == "county_staff" and entry.object_id == str(rule_set.pk)
    page = client.get(response["Location"])
    body = page_text(page)
    assert "Loaded 芙蓉区2026年工作要点, version 1, 2 rules; results are being recomputed." in body
    assert "furong-2026" in body and "2 rules" in body and "county_staff" in body
    assert 'id="rule-set-form"' in body


def test_loading_an_identical_file_changes_nothing(world: World) -> None:
    client = client_for(world, "county_staff")
    upload(client, world.county, COUNTY_RULES)
    before = AuditEntry.objects.filter(action="compliance.ruleset.load", success=True).count()
    response = upload(client, world.county, COUNTY_RULES, follow=True)
    assert response.status_code == 200
    assert "is unchanged: version 1, 2 rules, is already this file." in page_text(response)
    assert list(RuleSet.objects.filter(code="furong-2026").values_list("version", "active")) == [(1, True)]
    assert AuditEntry.objects.filter(action="compliance.ruleset.load", success=True).count() == before
    # A changed file is the next version; the first stays, inactive, listed among the older ones.
    response = upload(client, world.county, COUNTY_RULES.replace("min: 1", "min: 2"), follow=True)
    assert "Loaded 芙蓉区2026年工作要点, version 2, 2 rules" in page_text(response)
    assert list(RuleSet.objects.filter(code="furong-2026").values_list("version", "active")) == [
        (2, True),
        (1, False),
    ]
    assert 'id="older-rule-sets"' in page_text(response)


def test_every_problem_of_a_file_is_shown_and_nothing_is_stored(world: World) -> None:
    response = upload(client_for(world, "county_staff"), world.county, THREE_ERRORS)
    assert response.status_code == 200
    body = page_text(response)
    assert "rule 1 (lecture): min must be a whole number from 1 to 10000." in body
    assert "rule 2 (assembly): meetings.no_such_meeting is not a known events metric" in body
    assert "rule 3 (report): due must be a day of the year as MM-DD, such as 05-31." in body
    assert body.count("<li>rule ") == 3
    assert not RuleSet.objects.exists() and not Rule.objects.exists()
    assert AuditEntry.objects.filter(action="compliance.ruleset.load", success=False).count() == 1


def test_a_file_scoped_to_another_county_is_refused(world: World) -> None:
    response = upload(client_for(world, "county_staff"), world.county, OTHER_COUNTY_RULES)
    assert response.status_code == 200
    body = page_text(response)
    assert (
        'The file declares scope "430103", which is not 芙蓉区委 (code 430102) or an organization below it.'
        in body
    )
    assert not RuleSet.objects.exists()
    refused = AuditEntry.objects.get(action="compliance.ruleset.load", success=False)
    assert refused.actor_name == "county_staff"


def test_a_file_scoped_above_or_without_scope_is_refused(world: World) -> None:
    client = client_for(world, "county_staff")
    body = page_text(upload(client, world.county, PROVINCE_RULES))
    assert 'declares scope "430000", which is not 芙蓉区委' in body
    no_scope = PROVINCE_RULES.replace('scope: "430000"\n', "")
    body = page_text(upload(client, world.county, no_scope))
    assert 'The file declares no scope. Add scope: "430102"' in body
    assert not RuleSet.objects.exists()


def test_a_file_scoped_below_is_loaded_and_shown_there(world: World) -> None:
    text = COUNTY_RULES.replace('"430102"', f'"{world.township.code}"')
    response = upload(client_for(world, "county_staff"), world.county, text)
    assert response.status_code == 302
    assert response["Location"] == url(world.township, year=YEAR)
    assert RuleSet.objects.get().scope == world.township


@pytest.mark.parametrize("scoped", [True, False], ids=["province", "whole-installation"])
def test_the_code_of_a_set_from_elsewhere_in_the_tree_cannot_be_taken_over(
    world: World, scoped: bool
) -> None:
    province_set = load(PROVINCE_RULES if scoped else PROVINCE_RULES.replace('scope: "430000"\n', ""))
    text = COUNTY_RULES.replace("code: furong-2026", "code: province-points")
    body = page_text(upload(client_for(world, "county_staff"), world.county, text))
    assert 'The code "province-points" belongs to a rule set loaded for another part of the tree' in body
    assert list(RuleSet.objects.values_list("pk", "active")) == [(province_set.pk, True)]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("points.yaml", COUNTY_RULES.encode("gb18030"), "The file is not UTF-8 text."),
        ("points.yaml", b"# " + b"x" * (512 * 1024), "The file is too large (513 KB); the limit is 512 KB."),
        ("points.yaml", b"", "The file is empty."),
        ("points.txt", COUNTY_RULES.encode(), "Upload a rule-set file ending in .yaml, .yml, .json."),
    ],
    ids=["gb18030", "oversized", "empty", "extension"],
)
def test_files_that_are_not_rule_set_text_are_refused(
    world: World, name: str, data: bytes, message: str
) -> None:
    response = upload(client_for(world, "county_staff"), world.county, data, name=name)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not RuleSet.objects.exists()


def test_a_utf8_file_with_a_byte_order_mark_and_json_load(world: World) -> None:
    client = client_for(world, "county_staff")
    assert upload(client, world.county, "\ufeff" + COUNTY_RULES).status_code == 302
    json_text = (
        '{"code": "furong-json", "name": "JSON", "scope": "430102",'
        ' "rules": [{"code": "online", "title": "网上", "kind": "not_measured"}]}'
    )
    assert upload(client, world.county, json_text, name="points.json").status_code == 302
    assert set(RuleSet.objects.values_list("code", flat=True)) == {"furong-2026", "furong-json"}


def test_the_list_shows_what_applies_here_in_the_year(world: World) -> None:
    load(PROVINCE_RULES)  # every year, province
    load(COUNTY_RULES)  # 2026, county
    load(OTHER_COUNTY_RULES)  # the other county: never listed here
    load(COUNTY_RULES.replace("year: 2026", "year: 2025").replace("furong-2026", "furong-2025"))
    client = client_for(world, "member_user")
    body = page_text(client.get(url(world.branch, year=YEAR)))
    assert "province-points" in body and "furong-2026" in body and "every year" in body
    assert "tianxin-2026" not in body and "furong-2025" not in body
    assert 'id="rule-set-form"' not in body  # a member reads, does not load
    body = page_text(client.get(url(world.branch, year=2025)))
    assert "furong-2025" in body and "furong-2026" not in body
    assert client.get(url(world.province)).status_code == 404  # above the member's reach


def test_a_member_may_read_but_not_load(world: World) -> None:
    client = client_for(world, "member_user")
    assert client.get(url(world.branch)).status_code == 200
    text = COUNTY_RULES.replace('"430102"', f'"{world.branch.code}"')
    assert upload(client, world.branch, text).status_code == 404
    assert not RuleSet.objects.exists()


def test_an_outsider_gets_404(world: World) -> None:
    client = client_for(world, "outsider")
    rule_set = load(COUNTY_RULES)
    assert client.get(url(world.county)).status_code == 404
    assert client.get(url(world.county, source=rule_set.pk)).status_code == 404
    assert upload(client, world.county, COUNTY_RULES.replace("furong-2026", "x")).status_code == 404
    assert RuleSet.objects.count() == 1


def test_source_download_is_scoped(world: World) -> None:
    county_set = load(COUNTY_RULES)
    other = load(OTHER_COUNTY_RULES)
    client = client_for(world, "member_user")
    response = client.get(url(world.branch, source=county_set.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="furong-2026-v1.yaml"'
    assert response.content.decode() == COUNTY_RULES
    # Staff of the other county may not read this county's set through their own page, nor
    # their own set through a page of this county; a set scoped below is not visible above.
    outsider = client_for(world, "outsider")
    assert outsider.get(url(world.branch_b, source=county_set.pk)).status_code == 404
    assert outsider.get(url(world.branch_b, source=other.pk)).status_code == 200
    assert client.get(url(world.branch, source=other.pk)).status_code == 404
    staff = client_for(world, "county_staff")
    township_set = load(
        COUNTY_RULES.replace('"430102"', f'"{world.township.code}"').replace("furong-2026", "township")
    )
    assert staff.get(url(world.county, source=township_set.pk)).status_code == 404
    assert staff.get(url(world.township, source=township_set.pk)).status_code == 200
    assert staff.get(url(world.county, source="abc")).status_code == 404
    assert staff.get(url(world.county, source=999999)).status_code == 404


def test_the_checklist_links_here(world: World) -> None:
    body = client_for(world, "secretary").get(reverse("org_compliance", args=[world.branch.pk])).content
    assert reverse("org_rule_sets", args=[world.branch.pk]).encode() in body
