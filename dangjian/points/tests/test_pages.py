"""The points pages for each persona: ledger and rank, the branch's table, hand entries and their
approval, accrual, the rule editor, the export."""

from datetime import date
from io import BytesIO
from typing import Any

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.points.accrual import accrue
from dangjian.points.models import EntryState, PointEntry, PointRule
from dangjian.testing.world import World

from .helpers import YEAR, claim, held, standard_rules


def client_for(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _accrued(world: World) -> None:
    standard_rules(world.township)
    held(
        world.branch, "branch_assembly", date(YEAR, 3, 3), {world.member: "present", world.member2: "absent"}
    )
    accrue(world.township, YEAR, acting_user=SYSTEM)


def test_my_points(world: World) -> None:
    _accrued(world)
    body = client_for(world.member_user).get(f"/my/points/?year={YEAR}").content.decode()
    assert 'id="total">2<' in body and "Rank 1 of 2" in body
    assert f'href="/meetings/{PointEntry.objects.filter(member=world.member).get().source_id}/"' in body
    assert "李娜" not in body  # the ranking, not the others' names
    assert 'id="no-member"' in client_for(world.county_staff).get("/my/points/").content.decode()


def test_member_claims_on_the_page(world: World) -> None:
    standard_rules(world.township, timezone.localdate().year)
    volunteer = PointRule.objects.get(name="志愿服务", year=timezone.localdate().year)
    client = client_for(world.member_user)
    response = client.post(
        "/my/points/",
        {
            "rule": volunteer.pk,
            "quantity": 2,
            "occurred_on": timezone.localdate().isoformat(),
            "reason": "社区清扫",
        },
    )
    assert response.status_code == 302
    entry = PointEntry.objects.get()
    assert (entry.member, entry.state, entry.points) == (world.member, EntryState.PROPOSED, 2)
    refused = client.post(
        "/my/points/", {"rule": volunteer.pk, "quantity": 2, "occurred_on": "2999-01-01", "reason": "x"}
    )
    assert refused.status_code == 200 and PointEntry.objects.count() == 1


def test_branch_table_matrix(world: World) -> None:
    _accrued(world)
    url = f"/orgs/{world.branch.pk}/points/?year={YEAR}"
    expected = {
        "province_staff": 200,
        "county_staff": 200,
        "secretary": 200,
        "member_user": 200,
        "outsider": 404,
    }
    for persona, code in expected.items():
        assert client_for(world.users[persona]).get(url).status_code == code, persona
    secretary = client_for(world.secretary).get(url).content.decode()
    assert 'id="table"' in secretary and "张伟" in secretary and "李娜" in secretary
    member_view = client_for(world.member_user).get(url).content.decode()
    assert "李娜" not in member_view and 'id="own-coverage"' in member_view
    county = (
        client_for(world.county_staff).get(f"/orgs/{world.township.pk}/points/?year={YEAR}").content.decode()
    )
    assert 'id="coverage"' in county and "2 / 2" in county and "100%" in county


def test_hand_entry_and_approval_on_the_pages(world: World) -> None:
    standard_rules(world.township, timezone.localdate().year)
    deed = PointRule.objects.get(name="好人好事", year=timezone.localdate().year)
    url = f"/orgs/{world.branch.pk}/points/"
    secretary = client_for(world.secretary)
    response = secretary.post(
        url,
        {
            "member": world.member2.pk,
            "rule": deed.pk,
            "quantity": 1,
            "occurred_on": timezone.localdate().isoformat(),
            "reason": "救助落水儿童",
        },
    )
    assert response.status_code == 302
    entry = PointEntry.objects.get()
    assert entry.state == EntryState.PROPOSED
    county = client_for(world.county_staff)
    page = county.get(url).content.decode()
    assert f'id="pending-{entry.pk}"' in page and "救助落水儿童" in page
    # The one who entered it cannot approve it; someone else can.
    secretary.post(f"/point-entries/{entry.pk}/approve/")
    assert PointEntry.objects.get().state == EntryState.PROPOSED
    county.post(f"/point-entries/{entry.pk}/approve/", {"next": url})
    assert PointEntry.objects.get().state == EntryState.APPROVED
    assert (
        client_for(world.outsider).post(f"/point-entries/{entry.pk}/reject/", {"note": "x"}).status_code
        == 404
    )


def test_accrue_button(world: World) -> None:
    standard_rules(world.township)
    held(world.branch, "theme_day", date(YEAR, 4, 1), {world.member: "present", world.member2: "present"})
    url = f"/orgs/{world.branch.pk}/points/accrue/?year={YEAR}"
    assert client_for(world.member_user).post(url).status_code == 404  # view only
    assert client_for(world.secretary).get(url).status_code == 405
    response = client_for(world.secretary).post(url)
    assert response.status_code == 302 and PointEntry.objects.count() == 2


def test_rule_editor(world: World) -> None:
    url = f"/orgs/{world.township.pk}/point-rules/?year={YEAR}"
    county = client_for(world.county_staff)
    response = county.post(
        url,
        {
            "form": "create",
            "kind": "meeting_attendance",
            "name": "参加三会一课",
            "points": 2,
            "meeting_kinds": ["branch_assembly", "party_lecture"],
            "cap_points": 6,
            "cap_period": "quarter",
            "active": "on",
        },
    )
    assert response.status_code == 302
    created = PointRule.objects.get()
    assert (created.meeting_kinds, created.cap_points, created.year) == (
        ["branch_assembly", "party_lecture"],
        6,
        YEAR,
    )
    bad = county.post(url, {"form": "create", "kind": "absence", "name": "缺席", "points": 2})
    assert bad.status_code == 200 and "negative" in bad.content.decode()
    # The branch sees the township's rules it follows; it cannot add its own.
    branch_page = (
        client_for(world.secretary).get(f"/orgs/{world.branch.pk}/point-rules/?year={YEAR}").content.decode()
    )
    assert (
        'id="inherited"' in branch_page
        and "参加三会一课" in branch_page
        and 'id="rule-form"' not in branch_page
    )
    township_page = county.get(url).content.decode()
    assert "Branch member assembly, Party lecture" in township_page  # labels, not codes
    assert "branch_assembly" not in township_page.split('id="rules"')[1].split("</table>")[0]
    edit = county.post(
        f"/point-rules/{created.pk}/", {"name": "参加会议", "points": 3, "cap_points": "", "cap_period": ""}
    )
    assert edit.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.points, created.cap_points, created.active) == ("参加会议", 3, None, False)
    assert client_for(world.secretary).get(f"/point-rules/{created.pk}/").status_code == 404
    assert client_for(world.outsider).get(url).status_code == 404


def test_export(world: World, django_assert_max_num_queries: Any) -> None:
    _accrued(world)
    claim(world.member2, PointRule.objects.get(name="好人好事"), by=world.secretary)  # proposed: not counted
    client = client_for(world.secretary)
    with django_assert_max_num_queries(12):
        response = client.get(f"/orgs/{world.branch.pk}/points.xlsx?year={YEAR}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == f"第一党支部 · {YEAR} · Member points, yearly totals"
    rows = {r[2]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["张伟"][:5] == ("第一党支部", "430102001001", "张伟", 2, 1)
    assert rows["李娜"][3:5] == (-2, 2)
    assert AuditEntry.objects.filter(action="points.export", actor_name="secretary").count() == 1
    assert client_for(world.member_user).get(f"/orgs/{world.branch.pk}/points.xlsx").status_code == 404
    committee = load_workbook(
        BytesIO(
            client_for(world.county_staff).get(f"/orgs/{world.county.pk}/points.xlsx?year={YEAR}").content
        )
    ).active
    assert committee.max_row == 4  # title, header, two members


def test_export_writes_names_as_text(world: World) -> None:
    from dangjian.members.models import Member

    _accrued(world)
    Member.objects.filter(pk=world.member.pk).update(name="=1+2")
    response = client_for(world.secretary).get(f"/orgs/{world.branch.pk}/points.xlsx?year={YEAR}")
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [row[2] for row in sheet.iter_rows(min_row=3)]
    assert [(c.value, c.data_type) for c in cells if c.value == "=1+2"] == [("=1+2", "s")]


def test_table_query_budget(world: World, django_assert_max_num_queries: Any) -> None:
    _accrued(world)
    client = client_for(world.secretary)
    client.get(f"/orgs/{world.branch.pk}/points/?year={YEAR}")  # warm the session
    with django_assert_max_num_queries(20) as ctx:
        client.get(f"/orgs/{world.branch.pk}/points/?year={YEAR}")
    from dangjian.testing.world import make_member

    for i in range(10):
        make_member(world.branch, f"新党员{i}")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(f"/orgs/{world.branch.pk}/points/?year={YEAR}")
