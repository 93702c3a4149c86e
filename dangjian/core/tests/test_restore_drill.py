"""The restore drill (scripts/restore-drill.sh) restores a copy, finds it whole, and fails on a
difference or a wrong key. PostgreSQL only: it runs pg_dump and pg_restore."""

import os
import re
import subprocess
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dangjian.testing.world import World

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill runs pg_dump and pg_restore"),
    pytest.mark.django_db(transaction=True),  # the drill reads the world from other connections
]


def server() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"


def drill(*args: str, keys: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    # The child process reads the keys the test run encrypted with.
    env["FIELD_ENCRYPTION_KEYS"] = keys or settings.FIELD_ENCRYPTION_KEYS
    env["BLIND_INDEX_KEY"] = settings.BLIND_INDEX_KEY
    command = ["bash", str(ROOT / "scripts/restore-drill.sh"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)


def databases() -> set[str]:
    import psycopg

    with psycopg.connect(f"{server()}/postgres") as admin:
        return {r[0] for r in admin.execute("SELECT datname FROM pg_database").fetchall()}


@pytest.fixture
def source(world: World) -> Iterator[str]:
    yield f"{server()}/{connection.settings_dict['NAME']}"


def test_the_drill_restores_a_whole_copy_and_drops_it(source: str) -> None:
    before = databases()
    done = drill(source, "--sample", "5")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"^dump +[\d.]+ s", out, re.M) and re.search(r"^restore +[\d.]+ s", out, re.M)
    assert re.search(r"^verify +[\d.]+ s", out, re.M)
    keys = re.search(r"decrypted (\d+) sampled values .* \((\d+) refused\)", out)
    # Three members' ID numbers and phones, the personas' second-factor secrets: all open with
    # the configured keys, none with a wrong one.
    assert keys is not None and int(keys.group(1)) >= 6 and keys.group(1) == keys.group(2)
    assert "OK: the restored copy matches the source" in out
    assert databases() == before  # the copy is dropped


def test_a_changed_row_or_a_wrong_key_fails_the_drill(source: str) -> None:
    import psycopg

    done = drill(source, "--keep", "--sample", "5")
    assert done.returncode == 0, done.stdout + done.stderr
    copy = re.search(r"^kept (\S+)$", done.stdout, re.M)
    assert copy is not None
    restored = f"{server()}/{copy.group(1)}"
    try:
        wrong_key = "k1:" + b64encode(os.urandom(32)).decode()
        lost = drill(source, "--compare-with", restored, keys=wrong_key)
        assert lost.returncode == 1 and "does not decrypt" in lost.stdout, lost.stdout + lost.stderr
        with psycopg.connect(restored, autocommit=True) as conn:
            conn.execute("UPDATE members_member SET name = name || '改' WHERE id = (SELECT min(id) FROM members_member)")  # noqa: E501
        changed = drill(source, "--compare-with", restored)
        assert changed.returncode == 1, changed.stdout + changed.stderr
        assert "DIFFERENCE: members_member: 3 rows" in changed.stdout
    finally:
        with psycopg.connect(f"{server()}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy.group(1)}" WITH (FORCE)')
