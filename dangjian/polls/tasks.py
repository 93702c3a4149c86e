"""Polls past their deadline are closed by the worker every five minutes (pages and the API
also close a due poll when they read it, so nobody waits for the worker)."""

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import close_due_polls


@db_periodic_task(crontab(minute="*/5"))
def close_due() -> int:
    return close_due_polls()


@db_task()
def vacuum_ballots() -> None:
    """Remove the deleted versions of ballots re-dealt at closing (services._redeal_ballots), so
    the old rows, stamped with their voters' transactions, do not linger in the table's pages."""
    if connection.in_atomic_block:  # VACUUM cannot run in a transaction; autovacuum will follow
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM polls_ballotchoice, polls_ballot")
