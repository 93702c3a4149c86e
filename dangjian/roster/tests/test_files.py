"""The roster's files at rest: sealed, private, previewed once, deleted after retention; zip
bombs refused before anything is decompressed; keys check/rotate cover the files."""

import os
import struct
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from dangjian.core import keys
from dangjian.core.masking import mask_id_number
from dangjian.core.models import AuditEntry
from dangjian.core.tests.test_sealed import with_new_first_key
from dangjian.roster import limits, reading, services
from dangjian.roster.models import ImportJob
from dangjian.roster.reading import sniff_format
from dangjian.testing.world import World

from .files import person, write_csv, write_xlsx
from .test_messy_files import HEAD


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def upload(client: Client, org_pk: int, name: str, data: bytes) -> Any:
    return client.post(f"/orgs/{org_pk}/import/", {"file": SimpleUploadedFile(name, data)})


def on_disk(name: str, tmp_path: Path) -> Path:
    return tmp_path / "media" / name


def uploaded(world: World, tmp_path: Path, rows: list[dict[str, Any]]) -> ImportJob:
    data = write_csv(tmp_path / "名册.csv", HEAD, rows).read_bytes()
    assert upload(signed_in(world.secretary), world.branch.pk, "名册.csv", data).status_code == 302
    return ImportJob.objects.get()


def run(world: World, job: ImportJob, capture: Callable[..., Any]) -> ImportJob:
    with capture(execute=True):
        signed_in(world.secretary).post(f"/imports/{job.pk}/start/")
    job.refresh_from_db()
    return job


def test_an_uploaded_roster_is_sealed_and_private_and_previewed_once(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [person("甲"), person("乙")]
    job = uploaded(world, tmp_path, rows)
    path = on_disk(job.file.name or "", tmp_path)
    body = path.read_bytes()
    for row in rows:
        assert row["公民身份号码"].encode() not in body and row["姓名"].encode("utf-8") not in body
    with path.open("rb") as stream:
        assert sniff_format(stream) is None  # not a CSV (nor a workbook) any more
    assert path.stat().st_mode & 0o777 == 0o600
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    calls = {"n": 0}
    real = services.open_table

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "open_table", counted)
    client = signed_in(world.secretary)
    for _ in range(3):
        page = client.get(f"/imports/{job.pk}/").content.decode()
        assert "公民身份号码" in page and rows[0]["公民身份号码"][:6] + "********" in page
        assert rows[0]["公民身份号码"] not in page
    assert calls["n"] == 1
    job.refresh_from_db()
    assert job.preview and mask_id_number(rows[0]["公民身份号码"]) in job.preview  # kept, masked
    with connection.cursor() as cursor:
        cursor.execute("SELECT preview FROM roster_importjob WHERE id = %s", [job.pk])
        assert "公民身份号码" not in cursor.fetchone()[0]  # and sealed in the database


def test_the_report_is_sealed_and_downloads_decrypted(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    refused = person("乙", 入党时间="未知")
    job = run(world, uploaded(world, tmp_path, [person("甲"), refused]), django_capture_on_commit_callbacks)
    assert job.report and job.refused_rows == 1
    path = on_disk(job.report.name or "", tmp_path)
    assert not path.read_bytes().startswith(b"PK") and path.stat().st_mode & 0o777 == 0o600
    assert refused["公民身份号码"].encode() not in path.read_bytes()
    response = signed_in(world.secretary).get(f"/imports/{job.pk}/report.xlsx")
    assert b"".join(response.streaming_content).startswith(b"PK")


def flip_last_byte(path: Path) -> None:
    body = bytearray(path.read_bytes())
    body[-1] ^= 1
    path.write_bytes(bytes(body))


def test_altered_files_are_refused_with_a_clear_message(
    world: World,
    tmp_path: Path,
    api: Callable[[str], Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    job = run(
        world,
        uploaded(world, tmp_path, [person("甲"), person("乙", 入党时间="未知")]),
        django_capture_on_commit_callbacks,
    )
    flip_last_byte(on_disk(job.report.name or "", tmp_path))
    client = signed_in(world.secretary)
    response = client.get(f"/imports/{job.pk}/report.xlsx", follow=True)
    assert "damaged or was altered" in response.content.decode()
    response = api("secretary").get(f"/api/v1/imports/{job.pk}/report")
    assert response.status_code == 409 and "damaged or was altered" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="roster.report", success=False).count() == 2
    ImportJob.objects.all().delete()
    fresh = uploaded(world, tmp_path, [person("丙")])
    flip_last_byte(on_disk(fresh.file.name or "", tmp_path))
    page = client.get(f"/imports/{fresh.pk}/").content.decode()
    assert "damaged or was altered" in page and "start-import" not in page
    fresh = run(world, fresh, django_capture_on_commit_callbacks)
    assert fresh.state == "failed" and "damaged or was altered" in fresh.message


def test_files_are_deleted_after_the_retention_period_with_an_audit_row(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    done = run(
        world,
        uploaded(world, tmp_path, [person("甲"), person("乙", 入党时间="未知")]),
        django_capture_on_commit_callbacks,
    )
    waiting = uploaded_again(world, tmp_path)
    signed_in(world.secretary).get(f"/imports/{waiting.pk}/")  # previewed
    recent = uploaded_again(world, tmp_path)
    old = timezone.now() - timedelta(days=8)
    ImportJob.objects.filter(pk__in=[done.pk, waiting.pk]).update(created_at=old)
    paths = [on_disk(n, tmp_path) for n in (done.file.name, done.report.name, waiting.file.name)]
    assert all(p.exists() for p in paths)
    call_command("import", "purge")
    assert not any(p.exists() for p in paths)
    assert on_disk(recent.file.name or "", tmp_path).exists()  # within the seven days: kept
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.file.name, done.report.name, done.preview) == ("", "", "") and done.files_deleted_at
    assert (waiting.state, waiting.preview) == ("failed", "")
    entries = AuditEntry.objects.filter(action="roster.purge")
    assert {e.object_id for e in entries} == {str(done.pk), str(waiting.pk)}
    assert all(e.org_path == world.branch.path and e.actor_name == "system" for e in entries)
    page = signed_in(world.secretary).get(f"/imports/{waiting.pk}/").content.decode()
    assert "deleted after 7 days" in page
    assert signed_in(world.secretary).get(f"/imports/{done.pk}/report.xlsx").status_code == 404
    call_command("import", "purge")  # nothing more to do, nothing more recorded
    assert AuditEntry.objects.filter(action="roster.purge").count() == 2


def uploaded_again(world: World, tmp_path: Path) -> ImportJob:
    data = write_csv(tmp_path / "b.csv", HEAD, [person("丁")]).read_bytes()
    upload(signed_in(world.secretary), world.branch.pk, "b.csv", data)
    return ImportJob.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_the_daily_task_purges(world: World, tmp_path: Path) -> None:
    from dangjian.roster.tasks import purge_import_files

    job = uploaded(world, tmp_path, [person("甲")])
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))
    purge_import_files()
    job.refresh_from_db()
    assert job.files_deleted_at and not on_disk(job.file.name or "x", tmp_path).is_file()


# --- Zip bombs -----------------------------------------------------------------------------------

ROW = b'<row><c t="inlineStr"><is><t>430102198506010012</t></is></c></row>' * 1000


def bomb(tmp_path: Path, megabytes: int, *, declare: int | None = None) -> bytes:
    """A real workbook whose sheet XML is `megabytes` of repeated cells (a few hundred kB zipped).
    `declare`: the size its central directory claims instead (a zip that lies)."""
    plain = write_xlsx(tmp_path / "plain.xlsx", HEAD, [person("甲")])
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=megabytes > 2000) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            for _ in range(megabytes * 1024 * 1024 // len(ROW)):
                sheet.write(ROW)
            sheet.write(b"</sheetData></worksheet>")
    body = bytearray(out.read_bytes())
    if declare is not None:
        at = body.rfind(b"PK\x01\x02", 0)
        while body[at + 46 : at + 46 + 24] != b"xl/worksheets/sheet1.xml":
            at = body.rfind(b"PK\x01\x02", 0, at)
        body[at + 24 : at + 28] = struct.pack("<I", declare)
    return bytes(body)


def never(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("called")


def test_a_zip_bomb_is_refused_before_anything_is_decompressed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bomb(tmp_path, 300)
    assert len(data) < 3 * 1024 * 1024  # 300 MB of XML in under 3 MB
    monkeypatch.setattr(reading.CalamineWorkbook, "from_path", never)
    monkeypatch.setattr(limits, "_inflate_within", never)
    response = upload(signed_in(world.secretary), world.branch.pk, "名册.xlsx", data)
    assert response.status_code == 200
    assert "it is refused without being read" in response.content.decode()
    chinese = signed_in(world.secretary)
    chinese.cookies["django_language"] = "zh-hans"
    response = upload(chinese, world.branch.pk, "名册.xlsx", data)
    assert "该工作簿解压后超过800 MB" in response.content.decode()  # in the user's language
    assert not ImportJob.objects.exists()
    assert not (tmp_path / "media" / "imports").exists()


def test_the_limits_are_settings(world: World, tmp_path: Path, settings: Any) -> None:
    settings.ROSTER_MAX_ZIP_RATIO = 100000
    data = bomb(tmp_path, 30)
    settings.ROSTER_MAX_UNZIPPED_MB = 20  # the total, whatever the ratio
    response = upload(signed_in(world.secretary), world.branch.pk, "名册.xlsx", data)
    assert "more than 20 MB" in response.content.decode()
    settings.ROSTER_MAX_UNZIPPED_MB = 800
    settings.ROSTER_MAX_ZIP_ENTRIES = 5  # a workbook has nine
    response = upload(signed_in(world.secretary), world.branch.pk, "名册.xlsx", data)
    assert "refused without being read" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_zip_that_lies_about_its_size_is_refused_while_inflating(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bomb(tmp_path, 40, declare=2 * 1024 * 1024)  # claims 2 MB: ratio and total look fine
    monkeypatch.setattr(reading.CalamineWorkbook, "from_path", never)
    started = time.monotonic()
    response = upload(signed_in(world.secretary), world.branch.pk, "名册.xlsx", data)
    assert "refused without being read" in response.content.decode()
    assert time.monotonic() - started < 30 and not ImportJob.objects.exists()


def test_an_honest_workbook_passes_the_limits(world: World, tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "ok.xlsx", HEAD, [person("甲"), person("乙")]).read_bytes()
    assert upload(signed_in(world.secretary), world.branch.pk, "名册.xlsx", data).status_code == 302


def test_an_xls_is_bounded_by_its_size(world: World, settings: Any) -> None:
    settings.ROSTER_MAX_XLS_MB = 1
    data = reading.OLE2 + b"\0" * (2 * 1024 * 1024)
    response = upload(signed_in(world.secretary), world.branch.pk, "名册.xls", data)
    assert "at most 1 MB" in response.content.decode() and not ImportJob.objects.exists()


# --- Keys ------------------------------------------------------------------------------------


def test_keys_rotate_and_check_cover_the_sealed_files(
    world: World,
    tmp_path: Path,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    job = run(
        world,
        uploaded(world, tmp_path, [person("甲"), person("乙", 入党时间="未知")]),
        django_capture_on_commit_callbacks,
    )
    settings.FIELD_ENCRYPTION_KEYS = with_new_first_key(settings.FIELD_ENCRYPTION_KEYS)
    before = keys.check()
    assert before.failed == 0 and "k2" not in before.by_key()
    keys.rotate()
    after = keys.check()
    files = {t.label: t.values for t in after.tallies if "(files)" in t.label}
    assert files == {"roster.ImportJob.file (files)": {"k2": 1}, "roster.ImportJob.report (files)": {"k2": 1}}
    response = signed_in(world.secretary).get(f"/imports/{job.pk}/report.xlsx")
    assert b"".join(response.streaming_content).startswith(b"PK")
    flip_last_byte(on_disk(job.file.name or "", tmp_path))
    failed = keys.check()
    assert failed.failed == 1 and str(failed.failures[0]).startswith(f"roster.ImportJob pk={job.pk} file:")


def test_a_file_stored_before_sealing_is_sealed_by_rotate(world: World, tmp_path: Path) -> None:
    job = uploaded(world, tmp_path, [person("甲")])
    plain = write_csv(tmp_path / "old.csv", HEAD, [person("乙")]).read_bytes()
    on_disk(job.file.name or "", tmp_path).write_bytes(plain)  # as files were stored until now
    report = keys.check()
    assert report.failed == 1 and "not a sealed file" in str(report.failures[0])
    keys.rotate()
    assert keys.check().failed == 0
    assert b"\xe4\xb9\x99" not in on_disk(job.file.name or "", tmp_path).read_bytes()  # 乙 sealed
    page = signed_in(world.secretary).get(f"/imports/{job.pk}/").content.decode()
    assert "乙" in page and "start-import" in page


def test_stray_files_older_than_the_retention_are_purged(world: World, tmp_path: Path) -> None:
    job = uploaded(world, tmp_path, [person("甲")])
    stray = tmp_path / "media" / "imports" / "2026" / "01" / "left-by-a-crash.xlsx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"PK\x03\x04 plaintext from before")
    week_ago = time.time() - 8 * 86400
    os.utime(stray, (week_ago, week_ago))
    os.utime(on_disk(job.file.name or "", tmp_path), (week_ago, week_ago))  # old, but its job is not
    call_command("import", "purge")
    assert not stray.exists() and on_disk(job.file.name or "", tmp_path).exists()
    entry = AuditEntry.objects.get(action="roster.purge")
    assert entry.changes == {"stray_files": 1, "retention_days": 7}
