"""Huey tasks of the roster app (found by `dangjian run_huey`, which imports every app's tasks
module)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services, storage


@db_task()
def run_import_job(job_pk: int) -> None:
    """Run a started import (queued by `services.start_import` after commit). No retries: a
    failed import is reported on its page and started again by the user, deliberately."""
    services.run_job(job_pk)


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_import_files() -> None:
    """Daily, at night (Beijing time): uploaded rosters, reports and previews older than the
    retention period are deleted (`storage.purge`, audited per job)."""
    storage.purge()
