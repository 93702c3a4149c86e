"""Progress of a running import, written where the page polling it can read it.

While the file is read and validated no transaction is open, so progress is an ordinary
autocommitted UPDATE of the job row. The insert runs in one transaction (all or nothing), and
the job row must not be written inside it: the page would only see the result at commit. On
PostgreSQL progress then goes through a second connection of its own (the import's transaction
never touches the job row, so nothing waits on a lock). SQLite has one writer at a time and the
import holds it: a second connection would wait for the import to end, so there the bar stops at
the end of validation and jumps to 100 % at commit. The insert is the short part (a spool of
pre-sealed rows), so the wait is seconds for a county's roster.
"""

import time
from typing import Any

from django.db import connection, connections

from .models import ImportJob

MIN_INTERVAL = 0.5  # seconds between writes of the same phase


class JobProgress:
    def __init__(self, job_pk: int) -> None:
        self.pk = job_pk
        self.phase = ""
        self.last = 0.0
        self.side: Any = None

    def __call__(self, phase: str, fraction: float) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < MIN_INTERVAL:
            return
        self.phase, self.last = phase, now
        percent = max(0, min(99, int(fraction * 100)))  # 100 only when the job is done
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.pk).update(phase=phase, progress=percent)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection("default")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET phase = %s, progress = %s WHERE id = %s",  # noqa: S608
                    [phase, percent, self.pk],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
