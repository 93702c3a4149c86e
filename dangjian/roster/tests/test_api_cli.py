"""The API and the CLI run the same import."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from dangjian.members.models import Member
from dangjian.roster.models import ImportJob
from dangjian.testing.world import World

from .files import person, write_csv
from .test_messy_files import HEAD


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_upload(tmp_path: Path, *rows: dict[str, Any]) -> SimpleUploadedFile:
    return SimpleUploadedFile("a.csv", write_csv(tmp_path / "a.csv", HEAD, list(rows)).read_bytes())


def test_api_post_then_get(
    world: World,
    api: Callable[[str], Any],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = api("secretary")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {"file": csv_upload(tmp_path, person("甲"), person("乙")), "org": world.branch.code},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    data = client.get(f"/api/v1/imports/{job_id}/").json()
    assert (data["state"], data["outcome"], data["progress"]) == ("done", "imported", 100)
    assert data["counts"] == {"total": 2, "new": 2, "unchanged": 0, "refused": 0}
    assert data["report"].endswith(f"/api/v1/imports/{job_id}/report")
    report = client.get(f"/api/v1/imports/{job_id}/report")
    assert report.status_code == 200 and b"".join(report.streaming_content).startswith(b"PK")


def test_api_dry_run_and_refusals(
    world: World,
    api: Callable[[str], Any],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api("county_staff").post(
            "/api/v1/imports/",
            {"file": csv_upload(tmp_path, person("甲")), "org": world.branch.code, "dry_run": True},
            format="multipart",
        )
    assert response.json()["state"] == "running"  # the job runs after the response's commit
    job = ImportJob.objects.get()
    assert (job.state, job.outcome, job.new_rows) == ("done", "dry_run", 1)
    assert not Member.objects.filter(name="甲").exists()


def test_api_wrong_file_and_outsider(world: World, api: Callable[[str], Any], tmp_path: Path) -> None:
    bad = api("secretary").post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("a.csv", b"%PDF-1.7"), "org": world.branch.code},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()
    outsider = api("outsider").post(
        "/api/v1/imports/",
        {"file": csv_upload(tmp_path, person("甲")), "org": world.branch.code},
        format="multipart",
    )
    assert outsider.status_code == 400 and "org" in outsider.json()  # the organization is not found
    assert not ImportJob.objects.exists()


def test_cli_imports_and_writes_the_report_only_where_asked(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "名册.csv", HEAD, [person("甲"), person("乙")])
    call_command("import", "members", str(path), "--org", world.branch.code, "--lang", "en")
    out = capsys.readouterr().out
    assert "2 rows: 2 new, 0 unchanged, 0 refused." in out and "use --report PATH" in out
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["名册.csv"]  # nothing beside the file
    report = tmp_path / "private" / "r.xlsx"
    report.parent.mkdir()
    call_command(
        "import", "members", str(path), "--org", world.branch.code, "--report", str(report), "--lang", "en"
    )
    assert "0 new, 2 unchanged" in capsys.readouterr().out
    assert report.read_bytes().startswith(b"PK") and report.stat().st_mode & 0o777 == 0o600


def test_cli_report_is_not_overwritten_without_force(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEAD, [person("甲")])
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"keep me")
    report.chmod(0o644)
    with pytest.raises(CommandError, match="--force"):
        call_command("import", "members", str(path), "--org", world.branch.code, "--report", str(report))
    assert report.read_bytes() == b"keep me" and not Member.objects.filter(name="甲").exists()
    call_command(
        "import", "members", str(path), "--org", world.branch.code, "--report", str(report), "--force"
    )
    assert report.read_bytes().startswith(b"PK") and report.stat().st_mode & 0o777 == 0o600


def test_cli_refusal_exits_non_zero(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEAD, [person("甲"), person("乙", 人员类别="积极分子")])
    report = tmp_path / "out" / "r.xlsx"
    report.parent.mkdir()
    with pytest.raises(CommandError) as exc:
        call_command("import", "members", str(path), "--org", world.branch.code, "--report", str(report))
    assert exc.value.returncode == 2 and report.exists()
    assert not Member.objects.filter(name="甲").exists()
    call_command("import", "members", str(path), "--org", world.branch.code, "--partial", "--dry-run")
    assert not Member.objects.filter(name="甲").exists()
    with pytest.raises(CommandError) as exc:
        call_command("import", "members", str(tmp_path / "nope.csv"), "--org", world.branch.code)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.7")
    with pytest.raises(CommandError, match="not a roster"):
        call_command("import", "members", str(bad), "--org", world.branch.code, "--lang", "en")
