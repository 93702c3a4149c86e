"""The import's guarantees: all or nothing, partial on request, idempotent, no duplicates, scope,
one audit entry, and members exactly as the member service makes them."""

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dangjian.core.crypto import get_cipher
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.members.services import create_member
from dangjian.members.validation import id_bidx, phone_bidx
from dangjian.roster import importer, spool
from dangjian.roster.services import import_roster
from dangjian.testing.world import World

from .files import person, write_csv
from .test_messy_files import HEAD, report_rows


def run(path: Path, org: Any, tmp_path: Path, user: Any = SYSTEM, **options: Any) -> importer.Result:
    return import_roster(path, org, acting_user=user, report_path=tmp_path / "report.xlsx", **options)


def roster(tmp_path: Path, *rows: dict[str, Any], name: str = "a.csv") -> Path:
    return write_csv(tmp_path / name, HEAD, list(rows))


def test_one_bad_row_refuses_the_file_by_default(world: World, tmp_path: Path) -> None:
    path = roster(tmp_path, person("甲"), person("乙", 入党时间="2099-01-01"), person("丙"))
    before = Member.objects.count()
    result = run(path, world.branch, tmp_path)
    assert (result.new, result.refused, result.imported, result.outcome) == (2, 1, False, "refused")
    assert Member.objects.count() == before
    (row,) = report_rows(tmp_path / "report.xlsx")
    assert row[0] == 3 and row[1] == "乙" and "future" in str(row[-1])
    entry = AuditEntry.objects.filter(action="roster.import").latest("id")
    assert not entry.success and entry.changes == {"total": 3, "new": 2, "unchanged": 0, "refused": 1}


def test_partial_imports_the_valid_rows(world: World, tmp_path: Path) -> None:
    path = roster(tmp_path, person("甲"), person("乙", 公民身份号码="43010219850601143X"), person("丙"))
    before = Member.objects.count()
    result = run(path, world.branch, tmp_path, partial=True)
    assert (result.new, result.refused, result.outcome) == (2, 1, "imported")
    assert Member.objects.count() == before + 2
    assert "check character" in str(report_rows(tmp_path / "report.xlsx")[0][-1])


def test_dry_run_writes_nothing(world: World, tmp_path: Path) -> None:
    before = Member.objects.count()
    result = run(roster(tmp_path, person("甲")), world.branch, tmp_path, dry_run=True)
    assert (result.new, result.outcome) == (1, "dry_run")
    assert Member.objects.count() == before


def test_reimporting_the_same_file_changes_nothing(world: World, tmp_path: Path) -> None:
    path = roster(tmp_path, person("甲"), person("乙", gender="female"), person("丙", 联系电话=""))
    assert run(path, world.branch, tmp_path).new == 3
    state = list(Member.objects.order_by("id").values_list("id", "name", "version", "updated_at"))
    again = run(path, world.branch, tmp_path)
    assert (again.new, again.unchanged, again.refused, again.outcome) == (0, 3, 0, "imported")
    assert list(Member.objects.order_by("id").values_list("id", "name", "version", "updated_at")) == state


def test_an_id_of_another_organization_is_reported_not_duplicated(world: World, tmp_path: Path) -> None:
    b = world.member_b
    elsewhere = person("王芳", gender="female", birth=b.birth_date, 公民身份号码=b.id_number)  # county B's
    path = roster(tmp_path, person("甲"), elsewhere)
    result = run(path, world.branch, tmp_path, partial=True)
    assert (result.new, result.refused) == (1, 1)
    reason = str(report_rows(tmp_path / "report.xlsx")[0][-1])
    assert "another organization" in reason and world.branch_b.name not in reason
    assert Member.objects.filter(id_number_bidx=id_bidx(world.member_b.id_number)).count() == 1


def test_same_id_here_with_other_values_is_refused_with_the_fields(world: World, tmp_path: Path) -> None:
    m = world.member2
    row = person(
        m.name,
        gender="female",
        birth=m.birth_date,
        公民身份号码=m.id_number,
        联系电话="13900000000",
        入党时间=m.join_date.isoformat(),
        转正时间=m.full_date.isoformat(),
        学历="",
        工作岗位="",
    )
    result = run(roster(tmp_path, row), world.branch, tmp_path)
    assert result.refused == 1
    assert "联系电话" in str(report_rows(tmp_path / "report.xlsx")[0][-1])
    row["联系电话"] = m.phone
    assert run(roster(tmp_path, row), world.branch, tmp_path).unchanged == 1


def test_an_id_twice_in_the_file(world: World, tmp_path: Path) -> None:
    first = person("甲")
    twin = dict(first, 姓名="甲二")
    result = run(roster(tmp_path, first, twin), world.branch, tmp_path, partial=True)
    assert (result.new, result.refused) == (1, 1)
    assert "row 2" in str(report_rows(tmp_path / "report.xlsx")[0][-1])


def test_branch_outside_the_subtree_is_refused(world: World, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", [*HEAD, "所在党支部"], [person("甲", 所在党支部=world.branch_b.code)]
    )
    result = run(path, world.township, tmp_path, partial=True)
    assert result.refused == 1
    assert "No organization" in str(report_rows(tmp_path / "report.xlsx")[0][-1])


def test_outsider_cannot_import_into_another_county(world: World, tmp_path: Path) -> None:
    before = Member.objects.count()
    with pytest.raises(OutOfScope):
        run(roster(tmp_path, person("甲")), world.branch, tmp_path, user=world.outsider)
    assert Member.objects.count() == before
    assert AuditEntry.objects.filter(action="roster.import", success=False, actor_name="outsider").exists()


def test_a_crash_midway_through_the_insert_leaves_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [person(f"成员{i}") for i in range(5000)]
    path = roster(tmp_path, *rows)
    monkeypatch.setattr(spool, "BATCH", 500)
    monkeypatch.setattr(spool, "CHUNK_BYTES", 16 * 1024)  # many chunks, whatever the rows weigh
    calls = {"n": 0}
    original = spool.write_chunk

    def failing(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed")
        original(*args)

    monkeypatch.setattr(importer, "write_chunk", failing)
    before = Member.objects.count()
    with pytest.raises(RuntimeError):
        run(path, world.branch, tmp_path)
    assert calls["n"] == 3  # two chunks were written before the crash
    assert Member.objects.count() == before


def test_one_audit_entry_per_import_with_counts(world: World, tmp_path: Path) -> None:
    before = AuditEntry.objects.count()
    run(
        roster(tmp_path, *[person(f"成员{i}") for i in range(20)]),
        world.branch,
        tmp_path,
        user=world.secretary,
    )
    entries = AuditEntry.objects.order_by("id")[before:]
    assert [e.action for e in entries] == ["roster.import"]
    assert entries[0].changes["new"] == 20 and entries[0].actor_name == "secretary"
    assert entries[0].org_path == world.branch.path


def test_imported_members_match_those_of_the_member_service(world: World, tmp_path: Path) -> None:
    row = person("甲")
    run(roster(tmp_path, row), world.branch, tmp_path)
    imported = Member.objects.get(name="甲")
    data = {
        "name": "乙",
        "gender": "male",
        "birth_date": imported.birth_date,
        "id_number": person("x", birth=imported.birth_date)["公民身份号码"],
        "phone": row["联系电话"],
        "education": "bachelor",
        "category": "full",
        "join_date": imported.join_date,
        "full_date": imported.full_date,
        "job_title": "职员",
    }
    made = create_member(world.branch, data, acting_user=SYSTEM)
    made.refresh_from_db()
    fields = [
        "gender",
        "ethnicity",
        "education",
        "category",
        "status",
        "committee_post",
        "version",
        "party_group",
    ]
    assert [getattr(imported, f) for f in fields] == [getattr(made, f) for f in fields]
    assert imported.id_number == row["公民身份号码"] and imported.phone == row["联系电话"]
    assert imported.id_number_bidx == id_bidx(row["公民身份号码"])
    assert imported.phone_bidx == phone_bidx(row["联系电话"]) == made.phone_bidx
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_member WHERE id = %s", [imported.pk])
        sealed = cursor.fetchone()[0]
    assert sealed.startswith(get_cipher().active + "$")
    assert get_cipher().decrypt(sealed, "member.id_number") == row["公民身份号码"]


def test_worker_processes_give_the_same_result(world: World, tmp_path: Path, settings: Any) -> None:
    rows = [person(f"成员{i}") for i in range(300)] + [person("坏", 入党时间="不知道")]
    path = roster(tmp_path, *rows)
    settings.ROSTER_IMPORT_PROCESSES = 2
    result = run(path, world.branch, tmp_path, partial=True)
    assert (result.new, result.refused) == (300, 1)
    assert Member.objects.filter(name__startswith="成员").count() == 300


def test_refused_file_is_audited(world: World, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(ValidationError):
        run(path, world.branch, tmp_path)
    assert AuditEntry.objects.filter(action="roster.import", success=False).exists()
