"""Encryption at rest for personal data, and blind indexes for exact lookup.

Values are sealed with AES-256-GCM under a key id, so keys can rotate: the newest key seals, every
configured key opens. The field's name is bound in as associated data, so a ciphertext copied into
another column does not decrypt. Blind indexes are HMAC-SHA256 under a separate key: equal inputs
give equal digests (for uniqueness and `=` lookups) without revealing the value.
"""

import hashlib
import hmac
import json
import secrets
from base64 import b64decode, urlsafe_b64decode, urlsafe_b64encode
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

NONCE_BYTES = 12


class FieldCipher:
    def __init__(self, keys: dict[str, bytes], active: str) -> None:
        for kid, key in keys.items():
            if len(key) != 32:
                raise ImproperlyConfigured(f"Field encryption key {kid!r} must be 32 bytes.")
            if "$" in kid:
                raise ImproperlyConfigured("A key id must not contain '$'.")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.keys = dict(keys)  # sealed files derive a key per file from these (core.sealed)
        self.active = active

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead[self.active].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{self.active}${urlsafe_b64encode(nonce + sealed).decode()}"

    def key_id(self, token: str) -> str:
        return token.partition("$")[0]

    def decrypt(self, token: str, context: str) -> str:
        kid, _, body = token.partition("$")
        if kid not in self._aead:
            raise ImproperlyConfigured(f"No field encryption key with id {kid!r} is configured.")
        raw = urlsafe_b64decode(body)
        return self._aead[kid].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()


def parse_keys(spec: str) -> tuple[dict[str, bytes], str]:
    """Keys come as JSON `{"k2": "<base64>", "k1": "..."}` or `k2:<base64>,k1:<base64>`;
    the first listed key is the active one."""
    spec = spec.strip()
    pairs: list[tuple[str, str]]
    if spec.startswith("{"):
        pairs = list(json.loads(spec).items())
    else:
        pairs = [tuple(item.split(":", 1)) for item in spec.split(",") if item.strip()]  # type: ignore[misc]
    if not pairs:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    keys = {kid.strip(): b64decode(value.strip()) for kid, value in pairs}
    return keys, pairs[0][0].strip()


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs: object) -> None:
    # Tests that configure a second key see it at once.
    if setting == "FIELD_ENCRYPTION_KEYS":
        get_cipher.cache_clear()


@lru_cache(maxsize=1)
def get_cipher() -> FieldCipher:
    keys, active = parse_keys(settings.FIELD_ENCRYPTION_KEYS)
    return FieldCipher(keys, active)


@lru_cache(maxsize=1)
def _blind_hmac() -> "hmac.HMAC":
    """The keyed HMAC state, built once; each digest starts from a copy of it (a third of the cost
    of re-keying per value, which matters when millions of rows are imported)."""
    key = b64decode(settings.BLIND_INDEX_KEY)
    if len(key) < 32:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be at least 32 bytes (base64).")
    return hmac.new(key, digestmod=hashlib.sha256)


def blind_index(value: str, context: str) -> str:
    """128-bit keyed digest of a normalized value; empty input has no index."""
    if not value:
        return ""
    mac = _blind_hmac().copy()
    mac.update(f"{context}\0{value}".encode())
    return mac.hexdigest()[:32]
