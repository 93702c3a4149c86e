import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dangjian.core.crypto import FieldCipher, parse_keys

ROOT = Path(__file__).resolve().parents[3]


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def run_check(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "dangjian.settings.production", "ALLOWED_HOSTS": "dj.example", **extra}
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_profile_passes_check_deploy() -> None:
    result = run_check(
        {
            "SECRET_KEY": secrets.token_urlsafe(60),
            "FIELD_ENCRYPTION_KEYS": f"k1:{key()}",
            "BLIND_INDEX_KEY": key(),
            "AUDIT_CHAIN_KEY": key(),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_keys() -> None:
    result = run_check({"SECRET_KEY": secrets.token_urlsafe(60)})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_production_refuses_to_start_without_the_audit_chain_key() -> None:
    """Generated into var/ it would lie beside the log it protects, and be lost with the machine."""
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "FIELD_ENCRYPTION_KEYS": f"k1:{key()}",
        "BLIND_INDEX_KEY": key(),
    }
    result = run_check(keys)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY must be set" in result.stderr


def test_key_rotation_new_key_encrypts_old_key_still_decrypts() -> None:
    old_keys, _ = parse_keys(f"k1:{key()}")
    old = FieldCipher(old_keys, "k1")
    token = old.encrypt("430102199001011238", "member.id_number")
    rotated = FieldCipher({"k2": os.urandom(32), **old_keys}, "k2")
    assert rotated.decrypt(token, "member.id_number") == "430102199001011238"
    assert rotated.encrypt("x", "member.id_number").startswith("k2$")


def test_ciphertext_is_bound_to_its_field() -> None:
    keys, active = parse_keys(f"k1:{key()}")
    cipher = FieldCipher(keys, active)
    token = cipher.encrypt("13812345678", "member.phone")
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        cipher.decrypt(token, "member.id_number")


def test_short_keys_are_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        FieldCipher({"k1": b"short"}, "k1")


def test_blind_index_is_stable_keyed_and_contextual(settings: object) -> None:
    from dangjian.core.crypto import blind_index

    a = blind_index("430102199001011238", "member.id_number")
    assert a == blind_index("430102199001011238", "member.id_number") and len(a) == 32
    assert a != blind_index("430102199001011238", "member.phone")
    assert blind_index("", "member.id_number") == ""


@pytest.mark.django_db
def test_lookups_on_encrypted_fields_are_refused() -> None:
    from django.core.exceptions import FieldError

    from dangjian.members.models import Member

    with pytest.raises(FieldError):
        list(Member.objects.filter(id_number="430102199001011238"))
    assert list(Member.objects.filter(phone__isnull=True)) == []
