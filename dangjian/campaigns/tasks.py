"""Huey tasks of campaigns (found by `dangjian run_huey`, which imports every app's tasks module)."""

from huey.contrib.djhuey import db_task

from . import reminders


@db_task()
def notify_launched(campaign_id: int) -> int:
    """After a launch's commit: every receiving organization's officers are told."""
    return reminders.launched(campaign_id)
