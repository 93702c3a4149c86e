"""An import killed with SIGKILL in the middle of its insert leaves the database as it was: the
insert is one transaction, and a process that dies holding it never commits. This runs the real
console command in a child process against a database of its own (a file on SQLite, a scratch
database on PostgreSQL) and kills it once it reports that it is inserting."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection

from dangjian.roster.tests.files import HEAD, person, write_csv

ROWS = 40_000
SETUP = """
from dangjian.core.scoping import SYSTEM
from dangjian.organizations.services import create_organization
top = {"name": "县委", "code": "K1", "kind": "committee", "sector": "government"}
top = create_organization(None, top, acting_user=SYSTEM)
branch = {"name": "支部", "code": "K1B", "kind": "branch", "sector": "rural"}
create_organization(top, branch, acting_user=SYSTEM)
"""
COUNT = "from dangjian.members.models import Member; print(Member.objects.count())"


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for child processes: a fresh database of the same vendor as the tests."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTEST_XDIST_WORKER"}}
    env["DANGJIAN_VAR_DIR"] = str(tmp_path / "var")
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    name = f"dj_kill_{uuid.uuid4().hex[:12]}"
    settings = connection.settings_dict
    server = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{server}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dangjian(env: dict[str, str], *args: str) -> str:
    command = [str(Path(sys.executable).with_name("dangjian")), *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=300).stdout


def roster(path: Path) -> Path:
    rows: list[dict[str, object]] = []
    seen: set[object] = set()
    while len(rows) < ROWS:  # random ID numbers of one birth date can collide: draw again
        row = person(f"党员{len(rows)}", birth=date(1950, 1, 1) + timedelta(days=len(rows) % 18000))
        if row["公民身份号码"] not in seen:
            seen.add(row["公民身份号码"])
            rows.append(row)
    return write_csv(path, HEAD, rows)


@pytest.mark.django_db
def test_killing_an_import_midway_through_the_insert_changes_nothing(
    own_database: dict[str, str], tmp_path: Path
) -> None:
    env = own_database
    dangjian(env, "migrate", "-v0")
    dangjian(env, "shell", "-c", SETUP)
    path = roster(tmp_path / "roster.csv")
    command = [
        str(Path(sys.executable).with_name("dangjian")),
        "import",
        "members",
        str(path),
        "--org",
        "K1B",
    ]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    seen = []
    for line in child.stderr:  # progress lines: "validating 35%", …, "inserting 75%"
        seen.append(line.strip())
        if line.startswith("inserting"):
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, seen
    assert dangjian(env, "shell", "--no-imports", "-c", COUNT).strip() == "0"
    # The database is usable afterwards and the same file imports in full.
    dangjian(env, "import", "members", str(path), "--org", "K1B")
    assert dangjian(env, "shell", "--no-imports", "-c", COUNT).strip() == str(ROWS)
