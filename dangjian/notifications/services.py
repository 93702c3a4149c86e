"""All writes to notifications: create them (idempotently), mark them read.

Any app may notify: `notify(users, kind=..., key=..., title=..., body=..., url=...)` for one
reminder to several users, `notify_many([...])` for a job's many reminders in a few queries.
The key makes it safe to run a job twice: a (user, key) that exists is left alone, so nobody gets
the same reminder twice, and only new notifications are emailed.

Not audited, on purpose: a notification is a message to one user, not a record of an
organization; the row itself (created_at, read_at, emailed_at) is its trace. Writing an audit
entry per notification would bury the users' actions under hundreds of thousands of system rows
on a busy day, and marking one's own message read changes nothing anybody supervises.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.services import write_service

from . import delivery
from .delivery import enabled_channels
from .models import Category, Channel, DeliveryProfile, Notification, Preference

# (user, key) pairs checked and inserted per query: keeps every IN list far below SQLite's
# parameter limit, and a write transaction short.
BATCH = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Message:
    """One reminder (same text for all its users); `key` names it, e.g. "meeting-cancelled:42"."""

    user_ids: Sequence[int]
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False  # sent on SMS/WeCom even in the user's quiet hours
    sender_id: int | None = None  # who caused it: told when it cannot be delivered


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_url(url: str) -> str:
    # Links are followed from the inbox: a path on this site only, never another host.
    if url and (not url.startswith("/") or url.startswith(("//", "/\\"))):
        raise ValueError(f"notification url must be a path on this site: {url!r}")
    return url


def platform_language() -> translation.override:
    """Write a notification's texts in the platform's language (Chinese), whoever's request causes
    them: they are written once for every recipient, and no recipient's language is stored."""
    return translation.override(settings.LANGUAGE_CODE)


def notify(
    users: Iterable[Any],
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    sender: Any = None,
) -> int:
    """Notify `users` (User objects or ids) once each; returns how many notifications are new.
    `urgent` ones are not held back by quiet hours; `sender` (a user) is told of failed
    deliveries."""
    ids = [u if isinstance(u, int) else u.pk for u in users]
    sender_id = sender if isinstance(sender, int) or sender is None else sender.pk
    return notify_many([Message(ids, kind, key, str(title), str(body), url, urgent, sender_id)])


def notify_many(messages: Iterable[Message]) -> int:
    """Create the notifications that do not exist yet; after the commit, the worker sends them on
    the channels their users want (`delivery.dispatch`). Returns how many were created."""
    rows = [
        Notification(
            user_id=user_id,
            kind=m.kind,
            key=m.key,
            title=m.title[:200],
            body=m.body,
            url=_check_url(m.url),
            urgent=m.urgent,
            sender_id=m.sender_id,
        )
        for m in messages
        for user_id in dict.fromkeys(m.user_ids)  # once per user, order kept
    ]
    created = 0
    for batch in chunked(rows, BATCH):
        created += _insert_new(batch)
    return created


def _insert_new(batch: Sequence[Notification]) -> int:
    # Read first: a re-run finds everything there and takes no write lock at all.
    existing = set(
        Notification.objects.filter(user_id__in={r.user_id for r in batch}, key__in={r.key for r in batch})
        .values_list("user_id", "key")
        .order_by()  # a set: no sort
    )
    fresh = [r for r in batch if (r.user_id, r.key) not in existing]
    if not fresh:
        return 0
    stamp = timezone.now()
    for row in fresh:
        row.created_at = stamp
    with transaction.atomic():
        # ignore_conflicts: a job running at the same moment may have inserted some meanwhile.
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        # Skipped rows keep the other run's created_at, so the stamp picks exactly ours.
        ids = list(
            Notification.objects.filter(
                user_id__in={r.user_id for r in fresh}, key__in={r.key for r in fresh}, created_at=stamp
            )
            .values_list("id", flat=True)
            .order_by()
        )
        if ids and enabled_channels():
            transaction.on_commit(lambda: _queue_deliveries(ids))
    return len(ids)


def _queue_deliveries(ids: list[int]) -> None:
    from .tasks import dispatch_notifications  # the task module imports Huey's queue

    dispatch_notifications(ids)


def mark_read(notification: Notification, *, acting_user: Any) -> Notification:
    """Mark the user's own notification read (again: no change)."""
    if notification.user_id != getattr(acting_user, "pk", None):
        raise OutOfScope(f"notification {notification.pk}")
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
    elif notification.read_at is None:  # read meanwhile, e.g. in another tab
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user: Any) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(user=user.pk, read_at__isnull=True).update(read_at=timezone.now())


# --- preferences ------------------------------------------------------------------------------


@write_service("notification.preferences")
def set_preferences(
    user: Any,
    *,
    choices: dict[str, dict[str, bool]] | None = None,
    quiet_start: int | None = None,
    quiet_end: int | None = None,
    acting_user: Any,
) -> dict[str, Any]:
    """The holder chooses, per category, the channels besides the inbox, and their quiet hours
    (start 20–23 h, end 5–9 h, Beijing time). Only rows that differ from the defaults are kept.
    Returns what changed (audited)."""
    if getattr(acting_user, "pk", None) != user.pk:
        raise OutOfScope("notification preferences")
    choices = choices or {}
    errors: dict[str, str] = {}
    for category, channels in choices.items():
        if category not in Category.values or not isinstance(channels, dict):
            errors[str(category)[:40]] = gettext("Unknown kind of notification.")
        elif any(ch not in Channel.values or not isinstance(on, bool) for ch, on in channels.items()):
            errors[category] = gettext("Choose on or off for email, SMS or WeCom.")
    if quiet_start is not None and quiet_start not in delivery.QUIET_START_CHOICES:
        errors["quiet_start"] = gettext("Quiet hours start between 20:00 and 23:00.")
    if quiet_end is not None and quiet_end not in delivery.QUIET_END_CHOICES:
        errors["quiet_end"] = gettext("Quiet hours end between 05:00 and 09:00.")
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    current = delivery.matrix(user)
    for category, channels in choices.items():
        for channel, on in channels.items():
            if current[category][channel] == on:
                continue
            changes[f"{category}.{channel}"] = on
            if on == delivery.DEFAULTS[category][channel]:
                Preference.objects.filter(user=user, category=category, channel=channel).delete()
            else:
                Preference.objects.update_or_create(
                    user=user, category=category, channel=channel, defaults={"enabled": on}
                )
    if quiet_start is not None or quiet_end is not None:
        profile, _created = DeliveryProfile.objects.get_or_create(user=user)
        for field, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
            if value is not None and getattr(profile, field) != value:
                setattr(profile, field, value)
                changes[field] = value
        profile.save()
    if changes:
        org_path = user.home_org.path if user.home_org_id else ""
        audit.record(
            "notification.preferences", actor=acting_user, obj=user, org_path=org_path, changes=changes
        )
    return changes


WECOM_USERID_MAX = 64


@write_service("notification.wecom_accounts")
def set_wecom_accounts(pairs: Iterable[tuple[str, str]], *, acting_user: Any) -> int:
    """Set the WeCom accounts of users by username (from the company's WeCom directory); all or
    nothing: an unknown username or an over-long account refuses the whole file. Console only
    (SYSTEM). Returns how many were set."""
    from dangjian.accounts.models import User
    from dangjian.core.scoping import SYSTEM

    if acting_user is not SYSTEM:
        raise OutOfScope("WeCom accounts")
    wanted = dict(pairs)
    users = dict(User.objects.filter(username__in=wanted).values_list("username", "id"))
    unknown = sorted(set(wanted) - set(users))
    if unknown:
        raise ValidationError(gettext("Unknown users: %(names)s") % {"names": ", ".join(unknown[:10])})
    too_long = sorted(name for name, userid in wanted.items() if len(userid) > WECOM_USERID_MAX)
    if too_long:
        raise ValidationError(
            gettext("WeCom account too long for: %(names)s") % {"names": ", ".join(too_long[:10])}
        )
    for name, userid in wanted.items():
        DeliveryProfile.objects.update_or_create(user_id=users[name], defaults={"wecom_userid": userid})
    audit.record("notification.wecom_accounts", actor=acting_user, detail=f"{len(wanted)} accounts")
    return len(wanted)
