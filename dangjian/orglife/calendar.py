"""Personal iCalendar feeds: a secret subscription URL per user listing the meetings they are
expected at. The feed is written by hand following RFC 5545 (escaping, CRLF, 75-octet folding).

Only the SHA-256 of a feed token is stored (as for API tokens); the raw token lives only in the
URL handed to the user once, when the link is created.
"""

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import User
from dangjian.accounts.services import hash_token
from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import require_scope, write_service

from .models import CalendarFeed, Meeting, MeetingStatus

PAST_DAYS = 90
FUTURE_DAYS = 365
PRODID = "-//dangjian//Party Building Platform//EN"
MAX_OCTETS = 75


def _user_path(user: User) -> str:
    return user.home_org.path if user.home_org_id else ""  # type: ignore[union-attr]


def _is_self(user: User, acting_user: Any) -> bool:
    return acting_user is SYSTEM or getattr(acting_user, "pk", None) == user.pk


# --- links -----------------------------------------------------------------------------------


@write_service("calendar.create")
def create_feed(user: User, *, acting_user: Any) -> str:
    """A new secret link for `user` (only they may create it); any previous link stops working.
    Returns the raw token, which is never stored."""
    if not _is_self(user, acting_user):
        raise OutOfScope(f"calendar feed of user {user.pk}")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one active link per user
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, key_hash=hash_token(raw))
    audit.record(
        "calendar.create",
        actor=acting_user,
        obj=feed,
        org_path=_user_path(user),
        detail=f"replaced {revoked} previous link(s)" if revoked else "",
    )
    return raw


@write_service("calendar.revoke")
def revoke_feed(user: User, *, acting_user: Any) -> int:
    """Stop the user's calendar link; the user or a security administrator over them may."""
    if not _is_self(user, acting_user):
        require_scope(acting_user, user, "manage_security")
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit.record(
        "calendar.revoke",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        detail=f"revoked {revoked} link(s)",
    )
    return revoked


def end_feeds(sender: Any, *, user: User, reason: str, **kwargs: Any) -> None:
    """The account's credentials were ended (`accounts.signals.credentials_ended`): its calendar
    link is a credential too. The caller's audit entry records the end; this one its count."""
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit.record(
            "calendar.revoke",
            actor=SYSTEM,
            obj=user,  # placed at the account's organization, like the entry of the caller
            detail=f"revoked {revoked} link(s): {reason}",
        )


def _live() -> Any:
    """Feeds neither revoked nor older than CALENDAR_FEED_MAX_DAYS."""
    since = timezone.now() - timedelta(days=settings.CALENDAR_FEED_MAX_DAYS)
    return CalendarFeed.objects.filter(revoked_at__isnull=True, created_at__gt=since)


def active_feed(user: User) -> CalendarFeed | None:
    return _live().filter(user=user).first()


def feed_expires_at(feed: CalendarFeed) -> datetime:
    return feed.created_at + timedelta(days=settings.CALENDAR_FEED_MAX_DAYS)


def user_for_token(raw: str) -> User | None:
    """The active user whose live link carries `raw`; compared by hash, never by the token."""
    if not raw or len(raw) > 100:
        return None
    feed = _live().filter(key_hash=hash_token(raw), user__is_active=True).select_related("user").first()
    return feed.user if feed else None


# --- RFC 5545 text ---------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character:
    continuation lines start with one space, which counts toward their 75 octets."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(meeting: Meeting, stamp: datetime) -> list[str]:
    location = meeting.place or (_("Online") if meeting.online else "")
    status = "CONFIRMED" if meeting.status == MeetingStatus.CLOSED else "TENTATIVE"
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@dangjian",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SUMMARY:{escape_text(f'{meeting.get_kind_display()} · {meeting.topic}')}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines += [
        f"DESCRIPTION:{escape_text(meeting.organization.name)}",
        f"STATUS:{status}",
        "END:VEVENT",
    ]
    return lines


def feed_meetings(user: User, now: datetime | None = None) -> Iterable[Meeting]:
    """Meetings the user's member is expected at, not cancelled, from 90 days ago to a year on."""
    if user.member_id is None:
        return Meeting.objects.none()
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            attendances__member_id=user.member_id,
            starts_at__gte=now - timedelta(days=PAST_DAYS),
            starts_at__lt=now + timedelta(days=FUTURE_DAYS),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("organization")
        .order_by("starts_at", "id")
    )


def feed_ics(user: User) -> str:
    now = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(_('Party meetings'))}",
    ]
    for meeting in feed_meetings(user, now):
        # DTSTAMP without METHOD would be the last revision; with PUBLISH it is when this was made.
        lines += _event(meeting, now)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
