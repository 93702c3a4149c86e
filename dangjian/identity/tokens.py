"""The code in a card's QR: the card's serial, signed, so it cannot be made up or altered.

The token is `<serial>.<signature>`: Django's `Signer` (HMAC-SHA256 with a key derived from
SECRET_KEY and this module's salt; the comparison is constant-time). It carries the card's
random serial, never the member's id: a member's id is short and guessable, and a signed id would
stay valid across re-issues, where a serial dies with its card. Rotating SECRET_KEY invalidates
every card unless the old key is kept in SECRET_KEY_FALLBACKS while cards are re-issued.
"""

import secrets

from django.core import signing

SALT = "dangjian.identity.card"
SEP = "."
SERIAL_BYTES = 10  # 80 random bits, 20 hex digits


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEP, algorithm="sha256")


def new_serial() -> str:
    return secrets.token_hex(SERIAL_BYTES)


def make_token(serial: str) -> str:
    return _signer().sign(serial)


def read_token(token: str) -> str | None:
    """The serial inside a genuine token; None for anything forged, altered or malformed."""
    if not token or len(token) > 200:
        return None
    try:
        serial = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return serial if len(serial) == SERIAL_BYTES * 2 else None
