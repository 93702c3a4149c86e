"""Huey tasks of the roster app (found by `dangjian run_huey`, which imports every app's tasks
module)."""

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def run_import_job(job_pk: int) -> None:
    """Run a started import (queued by `services.start_import` after commit). No retries: a
    failed import is reported on its page and started again by the user, deliberately."""
    services.run_job(job_pk)
