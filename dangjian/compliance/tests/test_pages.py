"""Compliance pages: the checklist, the supervision dashboard, the Excel and PDF downloads, with
the world's personas; exact matrix cells for a small world, and query budgets."""

from collections.abc import Iterator
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from dangjian.compliance import engine, metrics, queries, report
from dangjian.compliance.models import Status
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_org

from .factories import held, load

YEAR = 2026
TODAY = date(2026, 5, 15)  # the second quarter
RULES = """
code: test-points
name: 测试工作要点
year: 2026
settings: {warn_days: 14}
rules:
  - {code: assembly, point: 12, title: 每季度召开支部党员大会, title_en: Quarterly branch assembly,
     kind: count, metric: meetings.branch_assembly, period: quarter, min: 1, applies_to: {kinds: [branch]}}
  - {code: lecture, point: 12, title: 每年至少一次党课, title_en: A party lecture a year,
     kind: count, metric: meetings.party_lecture, period: year, min: 1, applies_to: {kinds: [branch]}}
  - {code: terms, point: 16, title: 按期换届, title_en: Terms changed on time,
     kind: state, metric: terms.overdue}
  - {code: dues, point: 16, title: 党费六个月未交, title_en: Dues unpaid six months, kind: state,
     metric: dues.test_unpaid, applies_to: {kinds: [branch]}}
  - {code: online, point: 10, title: 网上党支部, title_en: Online branch, kind: not_measured}
"""


@pytest.fixture
def dues_metric() -> Iterator[None]:
    """A stand-in for the dues domain's "unpaid six months" state: 李娜 is unpaid."""
    metrics.get("terms.overdue")  # load the real sources first
    metrics.register(
        metrics.State(
            "dues.test_unpaid",
            "unpaid",
            lambda year, as_of: Member.objects.filter(name="李娜"),
            org="organization_id",
        )
    )
    yield
    metrics.METRICS.pop("dues.test_unpaid", None)


def _terms(world: World) -> None:
    due = {world.branch: date(2028, 1, 1), world.branch2: date(2026, 1, 1), world.branch_b: date(2027, 6, 1)}
    Organization.objects.exclude(pk__in=[o.pk for o in due]).update(term_due_end=None)
    for org, end in due.items():
        Organization.objects.filter(pk=org.pk).update(term_due_end=end)


@pytest.fixture
def measured(world: World, dues_metric: None) -> World:
    """branch: assemblies in Q1 and Q2, a lecture, one member unpaid; branch2: nothing held, its
    term overdue; branch_b (the other county): an assembly in Q1 only."""
    return set_up(world)


def set_up(world: World, *, months: tuple[int, ...] = ()) -> World:
    """The activity of `measured`, recomputed on TODAY (and first near the end of each of
    `months`, for a trend line)."""
    _terms(world)
    held(world.branch, "branch_assembly", date(2026, 2, 10))
    held(world.branch, "branch_assembly", date(2026, 4, 10))
    held(world.branch, "party_lecture", date(2026, 3, 3))
    held(world.branch_b, "branch_assembly", date(2026, 3, 1))
    load(RULES)
    for month in months:
        engine.recompute(YEAR, today=date(YEAR, month, 28))
    engine.recompute(YEAR, today=TODAY)
    for org in ("branch", "branch2", "township", "county"):
        getattr(world, org).refresh_from_db()
    return world


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"  # assertions compare English text
    client.force_login(world.users[persona])
    return client


def cells(matrix: queries.Matrix) -> dict[tuple[str, str], tuple[int, int, int, int, int]]:
    return {
        (row.org.code, col.rule.code): (c.applicable, c.met, c.on_track, c.at_risk, c.overdue)
        for row in matrix.rows
        for col, c in zip(matrix.columns, row.cells, strict=True)
    }


# --- queries ------------------------------------------------------------------------------------


def test_matrix_cells_of_a_township_come_from_the_branches_results(measured: World) -> None:
    m = queries.matrix(measured.township, YEAR)
    assert [c.rule.code for c in m.columns] == ["assembly", "lecture", "terms", "dues"]
    assert [r.org.name for r in m.rows] == ["第一党支部", "第二党支部"]
    one, two = measured.branch.code, measured.branch2.code
    assert cells(m) == {
        (one, "assembly"): (1, 1, 0, 0, 0),
        (one, "lecture"): (1, 1, 0, 0, 0),
        (one, "terms"): (1, 1, 0, 0, 0),
        (one, "dues"): (1, 0, 0, 0, 1),
        (two, "assembly"): (1, 0, 0, 0, 1),  # Q1 missed
        (two, "lecture"): (1, 0, 1, 0, 0),
        (two, "terms"): (1, 0, 0, 0, 1),
        (two, "dues"): (1, 1, 0, 0, 0),
    }
    assert [(r.total.applicable, r.total.met, r.total.percent) for r in m.rows] == [(4, 3, 75), (4, 1, 25)]
    # The township's own rollups: its two branches, and itself for the terms rule.
    assert [(c.applicable, c.met) for c in m.own] == [(2, 1), (2, 1), (3, 2), (2, 1)]
    assert (m.total.applicable, m.total.met, m.total.overdue) == (9, 5, 3)
    assert [(r["name"], r["overdue"]) for r in m.most_overdue] == [("第二党支部", 2), ("第一党支部", 1)]
    assert [r.organization.name for r in m.terms_overdue] == ["第二党支部"]
    assert [(r.organization.name, r.value) for r in m.dues_at_risk] == [("第一党支部", 1)]
    assert [(s.month, s.applicable, s.met) for s in m.trend] == [(5, 9, 5)]


def test_matrix_of_a_county_reads_the_township_rollup_and_filters(measured: World) -> None:
    m = queries.matrix(measured.county, YEAR)
    assert cells(m)[(measured.township.code, "assembly")] == (2, 1, 0, 0, 1)
    assert cells(m)[(measured.township.code, "terms")] == (3, 2, 0, 0, 1)
    assert [r.org.name for r in queries.matrix(measured.county, YEAR, sector="rural").rows] == []
    assert [
        r.org.name for r in queries.matrix(measured.township, YEAR, kind="branch", sector="community").rows
    ] == [
        "第一党支部",
        "第二党支部",
    ]
    assert queries.matrix(measured.township, YEAR, kind="general_branch").most_overdue == []


def test_checklist_of_a_branch(measured: World) -> None:
    items = {i.rule.code: i for i in queries.checklist(measured.branch2, YEAR)}
    assert [i.rule.code for i in queries.checklist(measured.branch2, YEAR)] == [
        "assembly",
        "lecture",
        "terms",
        "dues",
        "online",
    ]
    assert items["assembly"].status == Status.OVERDUE
    assert items["assembly"].progress == "0 of 4 quarters met"
    assert items["assembly"].due_on == date(2026, 6, 30)
    assert items["assembly"].records_url.endswith("?year=2026&kind=branch_assembly")
    assert items["lecture"].status == Status.ON_TRACK and items["lecture"].progress == "0 of at least 1"
    assert items["terms"].status == Status.OVERDUE and items["terms"].progress == "1 needs attention"
    assert items["online"].status == Status.NOT_MEASURED
    township = {i.rule.code: i.status for i in queries.checklist(measured.township, YEAR)}
    assert township == {
        "assembly": Status.NOT_APPLICABLE,
        "lecture": Status.NOT_APPLICABLE,
        "terms": Status.MET,
        "dues": Status.NOT_APPLICABLE,
        "online": Status.NOT_MEASURED,
    }
    detail = queries.periods(items["assembly"], measured.branch, YEAR, TODAY)
    assert [(p.label, p.count, p.met, p.current, p.future) for p in detail] == [
        ("Q1", 1, True, False, False),
        ("Q2", 1, True, True, False),
        ("Q3", 0, False, False, True),
        ("Q4", 0, False, False, True),
    ]
    assert [p.missed for p in queries.periods(items["assembly"], measured.branch2, YEAR, TODAY)] == [
        True,
        False,
        False,
        False,
    ]


def _add_branches(world: World, n: int) -> None:
    for i in range(n):
        make_org(world.township, f"新建党支部{i}", f"43010200109{i}", "branch", "community")
    engine.recompute(YEAR, today=TODAY)
    world.township.refresh_from_db()


def _count(fn: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_budgets_do_not_grow_with_children(measured: World) -> None:
    matrix_before = _count(lambda: queries.matrix(measured.township, YEAR))
    checklist_before = _count(lambda: queries.checklist(measured.branch, YEAR))
    _add_branches(measured, 6)
    assert (
        _count(lambda: queries.matrix(measured.township, YEAR)) == matrix_before <= 12
    )  # 9 reads; a savepoint pair and, on PostgreSQL, SET LOCAL
    assert _count(lambda: queries.checklist(measured.branch, YEAR)) == checklist_before <= 2
    assert len(queries.matrix(measured.township, YEAR).rows) == 8


# --- pages --------------------------------------------------------------------------------------


def test_checklist_page(measured: World) -> None:
    response = client_for(measured, "county_staff").get(f"/orgs/{measured.branch2.pk}/compliance/?year=2026")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="rule-assembly" data-status="overdue"' in body
    assert 'id="rule-online" data-status="not_measured"' in body
    assert "Quarterly branch assembly" in body  # the rule's title in the reader's language
    chinese = client_for(measured, "county_staff")
    chinese.cookies.pop("django_language")
    page = chinese.get(f"/orgs/{measured.branch2.pk}/compliance/?year=2026").content.decode()
    assert "每季度召开支部党员大会" in page
    assert f"/orgs/{measured.branch2.pk}/meetings/?year=2026&amp;kind=branch_assembly" in body
    assert "dj-periods" in body  # the per-quarter detail
    main = body[body.index("<main") : body.index("</main>")]
    assert "/supervision/" not in main  # a branch has no dashboard (the header's link is the user's)


def test_checklist_is_one_view_for_page_and_fragment(measured: World) -> None:
    url = f"/orgs/{measured.branch.pk}/compliance/?year=2026"
    fragment = client_for(measured, "secretary").get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b'id="rule-assembly"' in fragment.content


def test_supervision_dashboard(measured: World) -> None:
    client = client_for(measured, "county_staff")
    response = client.get(f"/orgs/{measured.township.pk}/supervision/?year=2026")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="row-{measured.branch2.code}"' in body
    # A leaf child drills down to its checklist; the county's township to its own dashboard.
    assert f'href="/orgs/{measured.branch2.pk}/compliance/?year=2026" class="dj-drill"' in body
    county = client.get(f"/orgs/{measured.county.pk}/supervision/?year=2026").content.decode()
    assert f'href="/orgs/{measured.township.pk}/supervision/?year=2026" class="dj-drill"' in county
    assert 'id="trend-data"' in body and "vendor/echarts/echarts.min.js" in body
    assert "export-xlsx" in body
    fragment = client.get(
        f"/orgs/{measured.township.pk}/supervision/?year=2026&kind=general_branch",
        headers={"HX-Request": "true"},
    )
    assert b"<html" not in fragment.content and b"No organizations below match." in fragment.content


@pytest.mark.parametrize(
    ("persona", "org", "status"),
    [
        ("county_staff", "county", 200),
        ("county_staff", "township", 200),
        ("province_staff", "county", 200),
        ("outsider", "county", 404),
        ("outsider", "township", 404),
        ("member_user", "township", 404),
        ("member_user", "branch", 404),  # a leaf: nothing below to supervise
        ("secretary", "branch", 404),
        ("county_staff", "branch", 404),
    ],
)
def test_supervision_scope(measured: World, persona: str, org: str, status: int) -> None:
    url = f"/orgs/{getattr(measured, org).pk}/supervision/?year=2026"
    assert client_for(measured, persona).get(url).status_code == status


@pytest.mark.parametrize(
    ("persona", "org", "status"),
    [
        ("member_user", "branch", 200),
        ("county_staff", "branch", 200),
        ("outsider", "branch", 404),
        ("outsider", "county", 404),
        ("secretary", "branch2", 404),
    ],
)
def test_checklist_scope(measured: World, persona: str, org: str, status: int) -> None:
    url = f"/orgs/{getattr(measured, org).pk}/compliance/?year=2026"
    assert client_for(measured, persona).get(url).status_code == status


def test_page_query_budgets(measured: World, django_assert_max_num_queries: Any) -> None:
    client = client_for(measured, "county_staff")
    dashboard = f"/orgs/{measured.township.pk}/supervision/?year=2026"
    checklist = f"/orgs/{measured.branch.pk}/compliance/?year=2026"
    client.get(dashboard)  # warm the session and the grant cache
    before = (_count(lambda: client.get(dashboard)), _count(lambda: client.get(checklist)))
    _add_branches(measured, 5)
    after = (_count(lambda: client.get(dashboard)), _count(lambda: client.get(checklist)))
    assert after == before
    # Beyond the session, user, grants and notification badge: 8 reads for the dashboard; 3 for
    # the checklist plus one per monthly or quarterly rule (its per-period detail).
    assert before[0] <= 20 and before[1] <= 12, before


def test_matrix_excel_is_audited_and_reads_back(measured: World) -> None:
    client = client_for(measured, "county_staff")
    client.cookies["django_language"] = "en"
    response = client.get(f"/orgs/{measured.township.pk}/supervision/?year=2026&format=xlsx")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f"attachment; filename=compliance-{measured.township.code}-2026.xlsx"
    )
    book = CalamineWorkbook.from_filelike(BytesIO(response.content))
    assert book.sheet_names == ["Matrix", "Counts", "Most overdue"]
    rows = book.get_sheet_by_name("Matrix").to_python()
    assert rows[1][:6] == [
        "Organization",
        "Code",
        "12 Quarterly branch assembly",
        "12 A party lecture a year",
        "16 Terms changed on time",
        "16 Dues unpaid six months",
    ]
    assert rows[2][:6] == ["第一党支部", measured.branch.code, 100, 100, 100, 0]
    assert rows[3][:6] == ["第二党支部", measured.branch2.code, 0, 0, 0, 100]
    assert rows[2][6:] == [4, 3, 0, 0, 1, 75]
    assert rows[4][0] == "Whole subtree" and rows[4][-1] == 56  # 5 of 9
    counts = book.get_sheet_by_name("Counts").to_python()
    assert counts[2][:10] == [
        "第一党支部",
        measured.branch.code,
        12,
        "Quarterly branch assembly",
        1,
        1,
        0,
        0,
        0,
        100,
    ]
    assert book.get_sheet_by_name("Most overdue").to_python()[2] == ["第二党支部", measured.branch2.code, 2]
    entry = AuditEntry.objects.get(action="compliance.export")
    assert (entry.actor_name, entry.org_path) == ("county_staff", measured.township.path)
    # Viewing is not exporting: a member of the branch may not download the township's matrix.
    assert (
        client_for(measured, "member_user")
        .get(f"/orgs/{measured.branch.pk}/compliance/report.pdf")
        .status_code
        == 404
    )


def test_year_end_pdf(measured: World) -> None:
    response = client_for(measured, "county_staff").get(
        f"/orgs/{measured.township.pk}/compliance/report.pdf?year=2026"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="compliance.export", detail="compliance.pdf 2026").count() == 1
    assert (
        client_for(measured, "outsider")
        .get(f"/orgs/{measured.township.pk}/compliance/report.pdf")
        .status_code
        == 404
    )


def test_report_functions_for_the_cli(measured: World, tmp_path: Any) -> None:
    rows = report.matrix_rows(measured.township, YEAR, SYSTEM)
    assert [(r["code"], r["met"], r["applicable"], r["percent_met"]) for r in rows] == [
        (measured.branch.code, 3, 4, 75),
        (measured.branch2.code, 1, 4, 25),
    ]
    assert rows[1]["rules"][0] == {
        "rule": "assembly",
        "rule_set": "test-points",
        "applicable": 1,
        "met": 0,
        "on_track": 0,
        "at_risk": 0,
        "overdue": 1,
        "percent_met": 0,
    }
    path = tmp_path / "m.xlsx"
    report.write_xlsx(path, measured.township, YEAR, SYSTEM)
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Matrix").to_python()[2][0] == "第一党支部"
    data = report.as_json(measured.county, YEAR, measured.county_staff)
    assert (
        data["rows"][0]["code"] == measured.township.code and data["total"]["applicable"] == 10
    )  # and the county
    with pytest.raises(OutOfScope):
        report.as_json(measured.county, YEAR, measured.outsider)
