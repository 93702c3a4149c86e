"""`dangjian keys check` and `keys rotate` over every encrypted value the app registry knows."""

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.accounts.models import User
from dangjian.core import keys
from dangjian.core.crypto import get_cipher
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.testing.world import World

from .test_sealed import with_new_first_key


def raw(model: Any, pk: Any, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def stored_key_ids() -> set[str]:
    found = set()
    for model, f in keys.encrypted_fields():
        for rows in keys._raw_batches(model, str(f.column)):
            found |= {token.partition("$")[0] for _pk, token in rows}
    return found


def test_every_encrypted_field_is_found_through_the_registry() -> None:
    found = {f"{m._meta.label}.{f.name}" for m, f in keys.encrypted_fields()}
    assert {"members.Member.id_number", "members.Member.phone", "accounts.User.totp_secret"} <= found
    assert {"transfers.FloatingRecord.contact", "roster.ImportJob.preview"} <= found
    assert {f"{m._meta.label}.{f.name}" for m, f in keys.sealed_file_fields()} == {
        "roster.ImportJob.file",
        "roster.ImportJob.report",
    }


def test_rotate_re_encrypts_everything_under_the_new_first_key(world: World, settings: Any) -> None:
    old = get_cipher().active
    ids = {m.pk: m.id_number for m in Member.objects.all()}
    settings.FIELD_ENCRYPTION_KEYS = with_new_first_key(settings.FIELD_ENCRYPTION_KEYS)
    assert stored_key_ids() == {old}
    call_command("keys", "rotate")
    assert stored_key_ids() == {"k2"}
    assert {m.pk: m.id_number for m in Member.objects.all()} == ids  # readable, unchanged
    assert User.objects.get(pk=world.secretary.pk).totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    entries = AuditEntry.objects.filter(action="keys.rotate")
    assert {e.object_type for e in entries} == {"members.member", "accounts.user"}
    member_entry = entries.get(object_type="members.member")
    assert member_entry.changes["rewritten"] == {"id_number": len(ids), "phone": len(ids)}
    call_command("keys", "rotate")  # nothing left to do: no rewrite, no entry
    assert AuditEntry.objects.filter(action="keys.rotate").count() == 2
    report = keys.check()
    assert report.failed == 0 and set(report.by_key()) == {"k2"}


def test_a_rotation_killed_after_its_first_batch_completes_on_rerun(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = {m.pk: m.id_number for m in Member.objects.all()}
    settings.FIELD_ENCRYPTION_KEYS = with_new_first_key(settings.FIELD_ENCRYPTION_KEYS)
    monkeypatch.setattr(keys, "BATCH", 1)
    real_write = keys._write
    calls = {"n": 0}

    def dies_after_one_batch(*args: Any) -> None:
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed")
        calls["n"] += 1
        real_write(*args)

    monkeypatch.setattr(keys, "_write", dies_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        keys.rotate()
    first = min(ids)
    assert raw(Member, first, "id_number").startswith("k2$")  # the first batch stayed written
    assert len(stored_key_ids()) == 2  # and the rest waits under the old key
    monkeypatch.setattr(keys, "_write", real_write)
    keys.rotate()
    assert stored_key_ids() == {"k2"}
    assert {m.pk: m.id_number for m in Member.objects.all()} == ids


def test_check_names_a_value_under_a_missing_key(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("keys", "check")
    out = capsys.readouterr().out
    assert f"members.Member.id_number: {get_cipher().active}: {Member.objects.count()}" in out
    token = raw(Member, world.member2.pk, "id_number")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET id_number = %s WHERE id = %s",
            ["gone$" + token.partition("$")[2], world.member2.pk],
        )
    with pytest.raises(CommandError, match="1 values or files do not open"):
        call_command("keys", "check")
    out = capsys.readouterr().out
    assert f"failed: members.Member pk={world.member2.pk} id_number:" in out and "'gone'" in out
    assert "FAILED 1" in out
