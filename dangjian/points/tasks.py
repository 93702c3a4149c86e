"""Nightly accrual, run by the Huey worker (`dangjian run_huey`): entries accrue by themselves
from the day's closed meetings and recorded dues, without anyone pressing "bring up to date".

Accrual is idempotent, so a missed night is caught up by the next. In January the previous year
is accrued too: December's meetings are often closed, and its dues recorded, in the new year.
"""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.scoping import SYSTEM
from dangjian.organizations.models import Organization

from .accrual import accrue

logger = logging.getLogger(__name__)


def accrue_everything() -> int:
    """Accrue the current year (and in January the last) for every top organization."""
    today = timezone.localdate()
    years = [today.year - 1, today.year] if today.month == 1 else [today.year]
    created = 0
    for root in Organization.objects.filter(depth=1).order_by("path"):
        for year in years:
            created += accrue(root, year, acting_user=SYSTEM).created
    logger.info("points accrual: %d new entries", created)
    return created


# 02:40 Beijing time (see HUEY["utc"]): after the day's records, before anyone reads them.
@db_periodic_task(crontab(minute="40", hour="2"))
def nightly_accrual() -> int:
    return accrue_everything()
