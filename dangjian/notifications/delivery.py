"""The delivery pipeline: every notification is in the inbox; this sends it further, on the
channels its user wants, when they may be disturbed, within the daily limits, and logs each try.

1. `dispatch(ids)` (worker, after the notifications are committed): one `Delivery` row per
   notification and channel that the user's preferences allow and the user can be reached on
   (an email address, a phone number on their member record, a WeCom account). Idempotent.
2. `send_due(now)` (worker, right after dispatch and every minute): takes the queued rows that
   are due, in batches, and per row: holds SMS and WeCom back during the user's quiet hours (not
   urgent ones) until the quiet hours end; skips it once the user's daily limit for the channel
   is reached; sends it through the channel's backend; on a transient error tries again after a
   back-off (1, 4, 16, 64 minutes …), gives up after `NOTIFICATION_MAX_ATTEMPTS`; on a permanent
   error or the last failed try marks it failed and tells the sender (when the notification has
   one); the system's own reminders are counted in a daily summary for the administrators
   (`report_failures`).

Every decision is taken at sending time, with an explicit `now`, so tests and the bench can run
the clock.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.masking import mask_phone
from dangjian.core.phone import is_mobile, normalize_phone

from .channels import Outgoing, PermanentError, TransientError, backend_for
from .models import Category, Channel, Delivery, DeliveryProfile, DeliveryStatus, Notification, Preference

logger = logging.getLogger("dangjian.notifications")

BATCH = 500
LEASE = timedelta(minutes=5)  # a claimed row is left alone by other workers this long
# Channels that buzz a phone: held back during the quiet hours. Email and the inbox wait anyway.
QUIET_CHANNELS = {Channel.SMS, Channel.WECOM}
# Notification kinds (by prefix) and the category a user chooses channels for. Kinds about
# delivery itself ("delivery.") are in the inbox only: a failure report never fails in turn.
CATEGORY_PREFIXES: list[tuple[str, Category]] = [
    ("meeting.", Category.MEETINGS),
    ("compliance.", Category.COMPLIANCE),
    ("deadline.", Category.COMPLIANCE),
    ("campaign.", Category.COMPLIANCE),
    ("notice.must_read", Category.MUST_READ),
    ("notice.", Category.NOTICES),
    ("approval.", Category.APPROVALS),
    ("mention", Category.MENTIONS),
    ("discussion.", Category.MENTIONS),
]
# Without a preference row: email and WeCom for everything, SMS (which costs money and is the
# most intrusive) only for meetings and must-read notices.
DEFAULTS: dict[str, dict[str, bool]] = {
    category: {
        Channel.EMAIL: True,
        Channel.WECOM: True,
        Channel.SMS: category in (Category.MEETINGS, Category.MUST_READ),
    }
    for category in Category.values
}
# The quiet hours a user may choose: starting 20–23 h, ending 5–9 h (Beijing time).
QUIET_START_CHOICES = range(20, 24)
QUIET_END_CHOICES = range(5, 10)


def category_of(kind: str) -> str | None:
    if kind.startswith("delivery."):
        return None
    for prefix, category in CATEGORY_PREFIXES:
        if kind.startswith(prefix):
            return category
    return Category.OTHER


def enabled_channels() -> list[str]:
    """The channels configured on this installation (SMS and WeCom default to the console)."""
    channels = [Channel.EMAIL] if settings.NOTIFICATION_EMAIL else []
    if settings.NOTIFICATION_SMS_BACKEND:
        channels.append(Channel.SMS)
    if settings.NOTIFICATION_WECOM_BACKEND:
        channels.append(Channel.WECOM)
    return [str(c) for c in channels]


def preferences(user_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], bool]]:
    """{user id: {(category, channel): enabled}} of the rows that differ from the defaults."""
    found: dict[int, dict[tuple[str, str], bool]] = defaultdict(dict)
    for user_id, category, channel, enabled in Preference.objects.filter(
        user_id__in=set(user_ids)
    ).values_list("user_id", "category", "channel", "enabled"):
        found[user_id][(category, channel)] = enabled
    return found


def wants(prefs: dict[tuple[str, str], bool], category: str, channel: str) -> bool:
    return prefs.get((category, channel), DEFAULTS[category][channel])


def matrix(user: Any) -> dict[str, dict[str, bool]]:
    """The user's choices for every category and channel (defaults filled in)."""
    prefs = preferences([user.pk])[user.pk]
    return {c: {ch: wants(prefs, c, ch) for ch in Channel.values} for c in Category.values}


def quiet_hours(user: Any) -> tuple[int, int]:
    profile = DeliveryProfile.objects.filter(user=user.pk).first()
    return (profile.quiet_start, profile.quiet_end) if profile else settings.NOTIFICATION_QUIET_HOURS


# --- dispatch ---------------------------------------------------------------------------------


def dispatch(ids: Sequence[int], now: datetime | None = None) -> int:
    """Queue the deliveries of notifications `ids` and send those due; returns how many rows
    were queued."""
    now = now or timezone.now()
    channels = enabled_channels()
    if not channels:
        return 0
    queued = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = list(
            Notification.objects.filter(pk__in=batch, user__is_active=True)
            .values_list(
                "id",
                "user_id",
                "kind",
                "user__email",
                "user__member__phone_bidx",
                "user__delivery_profile__wecom_userid",
            )
            .order_by("id")
        )
        prefs = preferences(r[1] for r in rows)
        new = []
        for pk, user_id, kind, email, phone_bidx, wecom_userid in rows:
            category = category_of(kind)
            if category is None:
                continue
            reachable = {
                Channel.EMAIL: bool(email),
                Channel.SMS: bool(phone_bidx),
                Channel.WECOM: bool(wecom_userid),
            }
            new += [
                Delivery(notification_id=pk, channel=ch, created_at=now, due_at=now, updated_at=now)
                for ch in channels
                if reachable[Channel(ch)] and wants(prefs[user_id], category, ch)
            ]
        Delivery.objects.bulk_create(new, ignore_conflicts=True)  # a re-run adds nothing
        queued += len(new)
    if queued:  # (an inbox-only batch, e.g. failure reports, sends nothing)
        send_due(now)
    return queued


# --- sending ----------------------------------------------------------------------------------


def in_quiet_hours(local: datetime, start: int, end: int) -> bool:
    hour = local.hour
    return hour >= start or hour < end if start > end else start <= hour < end


def quiet_end(local: datetime, end: int) -> datetime:
    """The next end of the quiet hours after `local` (aware, local time)."""
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(end)), timezone.get_current_timezone())


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 … minutes after the n-th failed try, at most 6 hours."""
    return min(timedelta(minutes=4 ** (attempts - 1)), timedelta(hours=6))


def _claim(now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due rows for this worker: their due_at moves past the lease, so
    another worker's sweep does not take them meanwhile (skip_locked on PostgreSQL)."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.QUEUED, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(due_at=now + LEASE)
    return ids


def _sent_today(user_ids: set[int], now: datetime) -> Counter[tuple[int, str]]:
    local_day = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.combine(local_day, time.min), timezone.get_current_timezone())
    rows = (
        Delivery.objects.filter(
            notification__user_id__in=user_ids,
            status=DeliveryStatus.SENT,
            sent_at__gte=start,
            sent_at__lte=now,
        )
        .values("notification__user_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({(r["notification__user_id"], r["channel"]): r["n"] for r in rows})


def _address(delivery: Delivery) -> tuple[str, str]:
    """(address, masked address) of the recipient on the delivery's channel, read now; ("", "")
    when the user can no longer be reached there."""
    user = delivery.notification.user
    if delivery.channel == Channel.EMAIL:
        name, _at, domain = user.email.partition("@")
        return user.email, (f"{name[:1]}***@{domain}" if user.email else "")
    if delivery.channel == Channel.SMS:
        member = user.member
        number = normalize_phone(member.phone) if member is not None and member.phone else ""
        return (number, mask_phone(number)) if is_mobile(number) else ("", "")
    profile = getattr(user, "delivery_profile", None)
    userid = profile.wecom_userid if profile is not None else ""
    return userid, userid


def send_due(now: datetime | None = None, *, limit: int | None = None) -> Counter[str]:
    """Send every due delivery (at most `limit`); returns counts by outcome."""
    now = now or timezone.now()
    outcomes: Counter[str] = Counter()
    while limit is None or outcomes.total() < limit:
        ids = _claim(now, BATCH if limit is None else min(BATCH, limit - outcomes.total()))
        if not ids:
            break
        outcomes += _send_batch(ids, now)
    return outcomes


def _send_batch(ids: list[int], now: datetime) -> Counter[str]:
    rows = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("notification__user__member", "notification__user__delivery_profile")
        .order_by("id")
    )
    user_ids = {d.notification.user_id for d in rows}
    sent_today = _sent_today(user_ids, now)
    limits = settings.NOTIFICATION_DAILY_LIMITS
    default_quiet = settings.NOTIFICATION_QUIET_HOURS
    local = timezone.localtime(now)
    backends: dict[str, Any] = {}
    outcomes: Counter[str] = Counter()
    failed: list[Delivery] = []
    for d in rows:
        n = d.notification
        user = n.user
        d.updated_at = now
        profile = getattr(user, "delivery_profile", None)
        start, end = (profile.quiet_start, profile.quiet_end) if profile else default_quiet
        if d.channel in QUIET_CHANNELS and not n.urgent and in_quiet_hours(local, start, end):
            d.due_at = quiet_end(local, end)
            outcomes["deferred"] += 1
            continue
        d.due_at = now
        address, masked = _address(d) if user.is_active else ("", "")
        d.recipient = masked
        if not address:
            d.status, d.last_error = DeliveryStatus.SKIPPED, "no address on this channel"
            outcomes["skipped"] += 1
            continue
        if sent_today[(user.pk, d.channel)] >= limits.get(d.channel, 0):
            d.status, d.last_error = DeliveryStatus.SKIPPED, "daily limit reached"
            outcomes["skipped"] += 1
            continue
        backend = backends.get(d.channel) or backends.setdefault(d.channel, backend_for(d.channel))
        d.attempts += 1
        try:
            d.provider_id = backend.send(Outgoing(d.pk, address, n.title, n.body, n.url))[:100]
        except PermanentError as exc:
            d.status, d.last_error = DeliveryStatus.FAILED, str(exc)[:300]
            failed.append(d)
            outcomes["failed"] += 1
            continue
        except Exception as exc:  # TransientError, or a backend's bug: tried again later
            if isinstance(exc, TransientError):
                d.last_error = str(exc)[:300]
            else:
                logger.exception("delivery %s on %s", d.pk, d.channel)
                d.last_error = type(exc).__name__
            if d.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                d.status = DeliveryStatus.FAILED
                failed.append(d)
                outcomes["failed"] += 1
            else:
                d.due_at = now + backoff(d.attempts)
                outcomes["retry"] += 1
            continue
        d.status, d.sent_at, d.last_error = DeliveryStatus.SENT, now, ""
        sent_today[(user.pk, d.channel)] += 1
        outcomes["sent"] += 1
        if d.channel == Channel.EMAIL and n.emailed_at is None:
            Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(emailed_at=now)
    _save(rows)
    if failed:
        _report_to_senders(failed)
    return outcomes


def _save(rows: list[Delivery]) -> None:
    """Write the batch's outcomes: one statement run for many rows (psycopg pipelines it), far
    cheaper than `bulk_update`'s CASE expressions or a round trip per row."""
    ops = connection.ops
    table = ops.quote_name(Delivery._meta.db_table)
    statement = (
        f"UPDATE {table} SET status = %s, attempts = %s, last_error = %s, provider_id = %s, "  # noqa: S608
        "recipient = %s, due_at = %s, sent_at = %s, updated_at = %s WHERE id = %s"
    )
    values = [
        (
            d.status,
            d.attempts,
            d.last_error,
            d.provider_id,
            d.recipient,
            ops.adapt_datetimefield_value(d.due_at),
            ops.adapt_datetimefield_value(d.sent_at),
            ops.adapt_datetimefield_value(d.updated_at),
            d.pk,
        )
        for d in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(statement, values)


# --- failures ---------------------------------------------------------------------------------


def _recipient_name(user: Any) -> str:
    member = getattr(user, "member", None)
    return member.name if member is not None else user.username


def _report_to_senders(failed: list[Delivery]) -> None:
    """Tell each sender which of their messages could not be delivered (in the inbox only)."""
    from .services import Message, notify_many

    messages = [
        Message(
            [d.notification.sender_id],
            "delivery.failed",
            f"delivery-failed:{d.pk}",
            _("Not delivered: %(title)s") % {"title": d.notification.title},
            _("%(channel)s to %(name)s failed: %(error)s")
            % {
                "channel": Channel(d.channel).label,
                "name": _recipient_name(d.notification.user),
                "error": d.last_error,
            },
            d.notification.url,
        )
        for d in failed
        if d.notification.sender_id
    ]
    if messages:
        notify_many(messages)


def report_failures(day: date) -> int:
    """One inbox message per active superuser counting the deliveries of system reminders (no
    sender) that failed on `day` (Beijing time), by channel. Returns how many failed."""
    from dangjian.accounts.models import User

    from .services import notify

    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    counts = dict(
        Delivery.objects.filter(
            status=DeliveryStatus.FAILED,
            notification__sender__isnull=True,
            updated_at__gte=start,
            updated_at__lt=start + timedelta(days=1),
        )
        .exclude(notification__kind__startswith="delivery.")
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = sum(counts.values())
    if total:
        detail = ", ".join(f"{Channel(ch).label}: {n}" for ch, n in sorted(counts.items()))
        notify(
            User.objects.filter(is_superuser=True, is_active=True),
            kind="delivery.failures",
            key=f"delivery-failures:{day.isoformat()}",
            title=_("%(count)d reminders could not be delivered on %(day)s") % {"count": total, "day": day},
            body=detail,
            url="/notifications/",
        )
    return total
