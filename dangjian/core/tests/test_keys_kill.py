"""`dangjian keys rotate` killed with SIGKILL after its first batch: the batches it finished stay
re-encrypted, nothing is damaged, and running it again completes the rotation. The real console
command runs in a child process against a database of its own (as `roster/tests/test_kill.py`)."""

import os
import signal
import subprocess
import sys
from base64 import b64encode
from pathlib import Path

import pytest

from dangjian.core.crypto import parse_keys
from dangjian.roster.tests.test_kill import SETUP, dangjian, own_database, roster  # noqa: F401

KEY_IDS = """
from collections import Counter
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT id_number FROM members_member")
    print(dict(Counter(value.partition("$")[0] for (value,) in cursor.fetchall())))
"""


def key_ids(env: dict[str, str]) -> dict[str, int]:
    return dict(eval(dangjian(env, "shell", "--no-imports", "-c", KEY_IDS).strip()))  # noqa: S307


@pytest.mark.django_db
def test_a_killed_rotation_continues_on_rerun(own_database: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    env = own_database
    dangjian(env, "migrate", "-v0")
    dangjian(env, "shell", "-c", SETUP)
    dangjian(env, "import", "members", str(roster(tmp_path / "roster.csv")), "--org", "K1B")
    before = key_ids(env)
    (old,) = before
    assert old != "new" and before[old] >= 40_000
    spec = env.get("FIELD_ENCRYPTION_KEYS") or (Path(env["DANGJIAN_VAR_DIR"]) / "field_keys").read_text()
    keys = [("new", os.urandom(32)), *parse_keys(spec)[0].items()]
    env = {**env, "FIELD_ENCRYPTION_KEYS": ",".join(f"{k}:{b64encode(v).decode()}" for k, v in keys)}
    command = [str(Path(sys.executable).with_name("dangjian")), "keys", "rotate"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    for line in child.stderr:  # "members.Member.id_number: 2000 re-encrypted" after each batch
        if "re-encrypted" in line:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    halfway = key_ids(env)
    assert halfway.get("new", 0) >= 2000 and halfway.get(old, 0) > 0, halfway  # stopped midway
    assert sum(halfway.values()) == sum(before.values())
    dangjian(env, "keys", "rotate")
    assert key_ids(env) == {"new": sum(before.values())}
    checked = dangjian(env, "keys", "check")  # exit status 0: every value opens
    assert f"members.Member.id_number: new: {sum(before.values())}" in checked
