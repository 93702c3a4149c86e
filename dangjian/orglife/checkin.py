"""Rotating check-in codes: the host shows a QR code that changes every 30 seconds; a member who
scans it is marked present. A code is an HMAC of the meeting and the 30-second window, so a
photo of an old code, or a code of another meeting, does not work."""

import hashlib
import hmac
from base64 import b32encode
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

WINDOW_SECONDS = 30
# The code on the screen and the one just before it: a scan taken as the code changes still
# works; anything older than a minute does not.
ACCEPTED_WINDOWS = 2
# Members may check in from half an hour before the start until the end.
EARLY = timedelta(minutes=30)


def _window(moment: datetime) -> int:
    return int(moment.timestamp()) // WINDOW_SECONDS


def code_for(meeting_id: int, window: int) -> str:
    key = hashlib.sha256(f"checkin\0{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, f"{meeting_id}:{window}".encode(), hashlib.sha256).digest()
    return b32encode(digest[:10]).decode()  # 16 characters, URL-safe


def current_code(meeting_id: int, now: datetime | None = None) -> str:
    return code_for(meeting_id, _window(now or timezone.now()))


def seconds_left(now: datetime | None = None) -> int:
    return WINDOW_SECONDS - int((now or timezone.now()).timestamp()) % WINDOW_SECONDS


def grouped(code: str) -> str:
    """The code as shown for typing: groups of four ("ABCD EFGH …")."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def is_valid(meeting_id: int, code: str, now: datetime | None = None) -> bool:
    window = _window(now or timezone.now())
    typed = "".join(ch for ch in code.upper() if ch.isalnum())  # spaces and dashes as typed
    return any(
        hmac.compare_digest(code_for(meeting_id, window - back), typed) for back in range(ACCEPTED_WINDOWS)
    )
