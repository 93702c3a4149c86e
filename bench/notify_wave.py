"""A reminder wave through the delivery pipeline: N compliance reminders at 07:30 Beijing time,
one per user, created with `notify_many`, dispatched and drained by the worker's code with the
console backends (nothing leaves the machine).

Shows:
- the time to create the N notifications against a raw INSERT … SELECT of the same rows (the
  lower bound), and the drain rate of dispatch + sending (deliveries per second) against a raw
  INSERT of the same delivery rows already marked sent;
- quiet hours hold: users whose quiet hours end at 09:00 get nothing at 07:30, and everything
  at 09:00;
- the daily limit holds: users who already had their day's WeCom messages get none (skipped).

Runs on its own users (`wave…`, created once, no member record) in the configured database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_wave uv run python bench/notify_wave.py --n 200000
"""

import argparse
import time
from datetime import datetime

from _harness import machine, raw, row, setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.notifications import delivery  # noqa: E402
from dangjian.notifications.models import Delivery, DeliveryProfile, Notification  # noqa: E402
from dangjian.notifications.services import Message, notify_many  # noqa: E402


def execute(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


QUIET_EVERY = 10  # every 10th user: quiet hours until 09:00
LIMITED_EVERY = 20  # every 20th user (of the others): already at the day's WeCom limit


def ensure_users(n: int) -> list[int]:
    have = User.objects.filter(username__startswith="wave").count()
    if have < n:
        User.objects.bulk_create(
            [User(username=f"wave{i:07d}", password="!") for i in range(have, n)], batch_size=5000
        )
    ids = list(
        User.objects.filter(username__startswith="wave").order_by("id").values_list("id", flat=True)[:n]
    )
    DeliveryProfile.objects.filter(user_id__in=ids).delete()
    DeliveryProfile.objects.bulk_create(
        [
            DeliveryProfile(user_id=uid, wecom_userid=f"w{uid}", quiet_end=9 if i % QUIET_EVERY == 0 else 7)
            for i, uid in enumerate(ids)
        ],
        batch_size=5000,
    )
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    n = args.n
    settings.NOTIFICATION_EMAIL = False
    settings.NOTIFICATION_SMS_BACKEND = "console"
    settings.NOTIFICATION_WECOM_BACKEND = "console"
    # A low WeCom limit, so that the users "already at their limit" need few earlier rows.
    limit = settings.NOTIFICATION_DAILY_LIMITS["wecom"] = 3
    tz = timezone.get_current_timezone()
    wave_at = timezone.make_aware(datetime(2026, 5, 4, 7, 30), tz)
    earlier = timezone.make_aware(datetime(2026, 5, 4, 7, 0), tz)
    end_of_quiet = timezone.make_aware(datetime(2026, 5, 4, 9, 0), tz)

    t = time.perf_counter()
    ids = ensure_users(n)
    execute("DELETE FROM notifications_delivery")
    execute(
        "DELETE FROM notifications_notification WHERE user_id IN "
        "(SELECT id FROM accounts_user WHERE username LIKE 'wave%%')"
    )
    print(f"set-up {time.perf_counter() - t:.1f} s for {n} users")

    # Users already at today's WeCom limit (sent earlier today).
    limited = [uid for i, uid in enumerate(ids) if i % QUIET_EVERY != 0 and i % LIMITED_EVERY == 1]
    notify_many([Message(limited, "bench.earlier", f"earlier:{k}", "earlier") for k in range(limit)])
    Delivery.objects.bulk_create(
        [
            Delivery(notification_id=pk, channel="wecom", status="sent", sent_at=earlier, due_at=earlier)
            for pk in Notification.objects.filter(kind="bench.earlier").values_list("id", flat=True)
        ],
        batch_size=5000,
    )

    # Lower bound for creating the notifications: one INSERT … SELECT, then removed.
    t = time.perf_counter()
    execute(
        """INSERT INTO notifications_notification (user_id, kind, key, title, body, url, created_at, urgent)
        SELECT id, 'bench.raw', 'raw', '报送截止提醒', '', '', %s, false FROM accounts_user
        WHERE username LIKE 'wave%%' ORDER BY id LIMIT %s""",
        [wave_at, n],
    )
    raw_insert = time.perf_counter() - t
    execute("DELETE FROM notifications_notification WHERE kind = 'bench.raw'")

    # The wave: notify_many as a compliance job calls it.
    t = time.perf_counter()
    created = notify_many(
        [
            Message(
                ids,
                "compliance.due",
                "compliance-due:bench:2026-05-31:3",
                "报送截止提醒",
                "请于月底前报送。",
                "/",
            )
        ]
    )
    create_s = time.perf_counter() - t
    wave = [
        r[0]
        for r in raw("SELECT id FROM notifications_notification WHERE kind = 'compliance.due' ORDER BY id")
    ]

    # The worker: one dispatch task per 500 notifications (as notify_many queues them).
    t = time.perf_counter()
    for start in range(0, len(wave), delivery.BATCH):
        delivery.dispatch(wave[start : start + delivery.BATCH], wave_at)
    drain_s = time.perf_counter() - t
    counts = dict(
        Delivery.objects.filter(notification__kind="compliance.due")
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    handled = sum(counts.values())

    quiet_sent_early = raw(
        """SELECT count(*) FROM notifications_delivery d
        JOIN notifications_notification n ON n.id = d.notification_id
        JOIN notifications_deliveryprofile p ON p.user_id = n.user_id
        WHERE n.kind = 'compliance.due' AND p.quiet_end = 9 AND d.status = 'sent'"""
    )[0][0]
    over_limit = raw(
        """SELECT count(*) FROM (SELECT n.user_id FROM notifications_delivery d
        JOIN notifications_notification n ON n.id = d.notification_id
        WHERE d.channel = 'wecom' AND d.status = 'sent' GROUP BY n.user_id HAVING count(*) > %s) x""",
        [limit],
    )[0][0]

    # 09:00: the quiet hours end for the tenth of the users; the sweep sends what was held back.
    t = time.perf_counter()
    later = delivery.send_due(end_of_quiet)
    later_s = time.perf_counter() - t

    # Lower bound for the drain: the same delivery rows written at once, already "sent".
    t = time.perf_counter()
    execute(
        """INSERT INTO notifications_delivery (notification_id, channel, status, attempts, last_error,
        provider_id, recipient, created_at, due_at, sent_at, updated_at)
        SELECT id, 'sms', 'sent', 1, '', '', '', %s, %s, %s, %s FROM notifications_notification
        WHERE kind = 'compliance.due'""",
        [wave_at, wave_at, wave_at, wave_at],
    )
    raw_deliveries = time.perf_counter() - t
    execute("DELETE FROM notifications_delivery WHERE channel = 'sms'")

    print(machine(), connection.vendor)
    print(
        row(
            "N",
            "created",
            "create (s)",
            "raw INSERT (s)",
            "deliveries",
            "drain (s)",
            "rate (/s)",
            "raw INSERT (s)",
        )
    )
    print(
        row(
            n,
            created,
            f"{create_s:.1f}",
            f"{raw_insert:.2f}",
            handled,
            f"{drain_s:.1f}",
            f"{handled / drain_s:.0f}",
            f"{raw_deliveries:.2f}",
        )
    )
    print("statuses at 07:30:", counts, "| sweep outcome at 07:30 counted above")
    print(f"quiet-hours users sent before 09:00: {quiet_sent_early} (must be 0)")
    print(f"users above the WeCom daily limit of {limit}: {over_limit} (must be 0)")
    print(f"09:00 sweep: {dict(later)} in {later_s:.1f} s")


if __name__ == "__main__":
    main()
