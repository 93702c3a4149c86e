"""Login refusals take the time of one password hash whatever the reason (no username oracle).

Times `authenticate_login` with the production hasher (PBKDF2) for an unknown username, an
inactive account, a locked account and a wrong password; median of warm runs each. Needs any
migrated database (it creates and removes its own accounts inside a rolled-back transaction):

    DANGJIAN_VAR_DIR=/tmp/bench_login uv run dangjian migrate
    DANGJIAN_VAR_DIR=/tmp/bench_login uv run python bench/login_timing.py
"""

from datetime import timedelta

from _harness import machine, setup_django, timed

setup_django()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.accounts.services import LoginRefused, authenticate_login  # noqa: E402

PASSWORD = "Kestrel-4-river"


def refused(username: str, password: str) -> None:
    try:
        authenticate_login(username, password)
    except LoginRefused:
        return
    raise AssertionError("login should have been refused")


def main() -> None:
    with transaction.atomic():
        real = User.objects.create_user("bench_real", password=PASSWORD)
        User.objects.create_user("bench_inactive", password=PASSWORD, is_active=False)
        User.objects.create_user("bench_locked", password=PASSWORD).__class__.objects.filter(
            username="bench_locked"
        ).update(locked_until=timezone.now() + timedelta(days=1))

        def wrong() -> None:
            refused("bench_real", "Wrong-pass-1")
            User.objects.filter(pk=real.pk).update(failed_logins=0, locked_until=None)

        cases = {
            "unknown username": lambda: refused("bench_nobody", PASSWORD),
            "inactive account": lambda: refused("bench_inactive", PASSWORD),
            "locked account": lambda: refused("bench_locked", PASSWORD),
            "wrong password": wrong,
        }
        print(machine())
        for name, case in cases.items():
            print(f"{name:18} {timed(case, repeat=9, warmup=1):8.1f} ms")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
