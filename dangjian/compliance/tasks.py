"""Keeping results current (Huey).

- A write in any domain emits a change event (`core.events.changed`); `on_change` queues
  `refresh_task` for that organization and year, which recomputes the organization's results and
  shifts its ancestors' rollups: seconds after a meeting is closed, the branch and every level
  above show it.
- Statuses also move with the calendar (on track → at risk → overdue) without any write: every
  night the current year is recomputed in full, which also reconciles anything a lost event
  missed.
"""

from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import engine


@db_task()
def refresh_task(org_id: int, year: int) -> int:
    return engine.refresh(org_id, year)


@db_task()
def recompute_task(year: int) -> None:
    engine.recompute(year)


# The first week of January also settles last year: rules due on 31 December turn overdue (and
# are escalated) only once a recompute sees the year is over.
YEAR_END_GRACE_DAYS = 8


@db_periodic_task(crontab(hour="1", minute="10"))
def nightly_recompute() -> None:
    today = timezone.localdate()
    if today.month == 1 and today.day <= YEAR_END_GRACE_DAYS:
        engine.recompute(today.year - 1, today=today)
    engine.recompute(today.year, today=today)


def on_change(topic: str, org_id: int, on: date | None) -> None:
    year = (on or timezone.localdate()).year
    refresh_task(org_id, year)


from . import reminders  # noqa: E402,F401  (its periodic task registers with the worker)
