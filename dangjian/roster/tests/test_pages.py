"""Import pages, exports and the template, through the test client."""

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.roster.models import ImportJob
from dangjian.testing.world import World

from .files import person, write_csv
from .test_messy_files import HEAD


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def upload(client: Client, org_pk: int, tmp_path: Path, rows: list[dict[str, Any]], **extra: Any) -> Any:
    data = write_csv(tmp_path / "名册.csv", HEAD, rows).read_bytes()
    return client.post(f"/orgs/{org_pk}/import/", {"file": SimpleUploadedFile("名册.csv", data), **extra})


def test_upload_preview_start_progress_and_report(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = signed_in(world.secretary)
    rows = [person("甲"), person("乙", 入党时间="未知")]
    response = upload(client, world.branch.pk, tmp_path, rows, partial="on")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "公民身份号码" in page and "Start the import" in page
    assert rows[0]["公民身份号码"] not in page  # the preview masks ID numbers
    assert rows[0]["公民身份号码"][:6] + "*" * 12 in page
    # The birth date beside it shows its year only: with the gender it would rebuild the ID.
    birth = rows[0]["公民身份号码"][6:14]
    assert f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" not in page and birth not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/start/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.outcome, job.progress, job.new_rows, job.refused_rows) == (
        "done",
        "imported",
        100,
        1,
        1,
    )
    fragment = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'id="count-new">1<' in fragment and "hx-trigger" not in fragment
    report = client.get(f"/imports/{job.pk}/report.xlsx")
    body = b"".join(report.streaming_content)
    refused = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(1).to_python()
    assert refused[1][1] == "乙"
    assert AuditEntry.objects.filter(action="roster.report", actor_name="secretary").exists()
    assert client.post(f"/imports/{job.pk}/start/").status_code == 302  # a finished job stays finished
    job.refresh_from_db()
    assert job.state == "done"


def test_running_job_polls(world: World, tmp_path: Path) -> None:
    client = signed_in(world.secretary)
    upload(client, world.branch.pk, tmp_path, [person("甲")])
    job = ImportJob.objects.get()
    client.post(f"/imports/{job.pk}/start/")  # the task waits for a commit that never comes here
    fragment = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment


def test_wrong_file_is_refused_at_upload(world: World) -> None:
    client = signed_in(world.secretary)
    response = client.post(
        f"/orgs/{world.branch.pk}/import/", {"file": SimpleUploadedFile("a.xlsx", b"%PDF-1.7 binary")}
    )
    assert response.status_code == 200 and "not a roster file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_outsider_gets_404(world: World, tmp_path: Path) -> None:
    upload(signed_in(world.secretary), world.branch.pk, tmp_path, [person("甲")])
    job = ImportJob.objects.get()
    outsider = signed_in(world.outsider)
    assert upload(outsider, world.branch.pk, tmp_path, [person("乙")]).status_code == 404
    for url in (f"/imports/{job.pk}/", f"/imports/{job.pk}/progress/", f"/imports/{job.pk}/report.xlsx"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/imports/{job.pk}/start/").status_code == 404
    assert ImportJob.objects.count() == 1


def _csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_is_filtered_masked_and_audited(world: World) -> None:
    client = signed_in(world.county_staff)
    response = client.get("/members/export.csv", {"org": world.branch.code, "gender": "female"})
    rows = _csv_rows(response)
    assert rows[0][:2] == ["姓名", "性别"]
    assert [r[0] for r in rows[1:]] == ["李娜"]
    m = world.member2
    assert rows[1][4] == m.id_number_masked and rows[1][9] == m.phone_masked
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.changes == {
        "filter": {"org": world.branch.code, "gender": "female"},
        "rows": 1,
        "full_values": False,
    }


def test_full_values_only_on_request_and_with_reveal(world: World) -> None:
    rows = _csv_rows(signed_in(world.county_staff).get("/members/export.csv", {"full": "1"}))
    assert world.member.id_number in {r[4] for r in rows}
    assert AuditEntry.objects.get(action="member.export").changes["full_values"] is True
    # The outsider's export covers county B only; no export right, no export.
    rows = _csv_rows(signed_in(world.outsider).get("/members/export.csv"))
    assert [r[0] for r in rows[1:]] == ["王芳"]
    assert signed_in(world.member_user).get("/members/export.csv").status_code == 404


def test_xlsx_export_reads_back(world: World, tmp_path: Path) -> None:
    response = signed_in(world.county_staff).get("/members/export.xlsx")
    body = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    names = [r[0] for r in sheet[2:]]
    assert sorted(names) == ["张伟", "李娜"]
    assert AuditEntry.objects.get(action="member.export").changes["rows"] == 2


def test_template_needs_a_login() -> None:
    assert Client().get("/members/import-template.xlsx").status_code == 302


def test_template_download(world: World) -> None:
    response = signed_in(world.secretary).get("/members/import-template.xlsx")
    header = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()[0]
    assert header[:5] == ["姓名", "性别", "民族", "出生日期", "公民身份号码"]


def test_export_then_import_finds_everyone_unchanged(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = signed_in(world.county_staff)
    body = b"".join(
        client.get("/members/export.csv", {"org": world.branch.code, "full": "1"}).streaming_content
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/orgs/{world.township.pk}/import/", {"file": SimpleUploadedFile("e.csv", body)})
        job = ImportJob.objects.get()
        client.post(f"/imports/{job.pk}/start/")
    job.refresh_from_db()
    assert (job.outcome, job.unchanged_rows, job.new_rows) == ("imported", 2, 0), job.message
    assert Member.objects.count() == 3


def test_a_job_claimed_by_another_worker_is_not_run_again(world: World, tmp_path: Path) -> None:
    from dangjian.roster.services import run_job

    client = signed_in(world.secretary)
    upload(client, world.branch.pk, tmp_path, [person("甲")])
    job = ImportJob.objects.get()
    client.post(f"/imports/{job.pk}/start/")  # queued: the on-commit task never runs here
    ImportJob.objects.filter(pk=job.pk).update(phase="validating")  # another worker has it
    run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "running" and Member.objects.count() == 3
