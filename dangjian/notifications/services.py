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
from django.db import transaction
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope

from .models import Notification

# (user, key) pairs checked and inserted per query: keeps every IN list far below SQLite's
# parameter limit, and a write transaction short.
BATCH = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Message:
    """One reminder (same text for all its users); `key` names it, e.g. "meeting-day-before:42"."""

    user_ids: Sequence[int]
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_url(url: str) -> str:
    # Links are followed from the inbox: a path on this site only, never another host.
    if url and (not url.startswith("/") or url.startswith(("//", "/\\"))):
        raise ValueError(f"notification url must be a path on this site: {url!r}")
    return url


def notify(users: Iterable[Any], *, kind: str, key: str, title: str, body: str = "", url: str = "") -> int:
    """Notify `users` (User objects or ids) once each; returns how many notifications are new."""
    ids = [u if isinstance(u, int) else u.pk for u in users]
    return notify_many([Message(ids, kind, key, str(title), str(body), url)])


def notify_many(messages: Iterable[Message]) -> int:
    """Create the notifications that do not exist yet; email them after commit if configured.
    Returns how many were created."""
    rows = [
        Notification(
            user_id=user_id,
            kind=m.kind,
            key=m.key,
            title=m.title[:200],
            body=m.body,
            url=_check_url(m.url),
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
        if ids and settings.NOTIFICATION_EMAIL:
            transaction.on_commit(lambda: _queue_emails(ids))
    return len(ids)


def _queue_emails(ids: list[int]) -> None:
    from .tasks import send_notification_emails  # the task module imports Huey's queue

    send_notification_emails(ids)


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
