"""The per-organization tallies of a notice (`NoticeTally`): written when it is sent and when a
member first reads it, never per recipient at sending, never on one shared row for everyone.

Called by `services` inside their transactions (the audit of sending covers the capture; a read
is not audited, docs/notices.md). Raw SQL because both are one statement each: an INSERT …
SELECT grouped from the members, and an upsert.
"""

from django.db import connection

from . import queries
from .models import Notice

COLUMNS = "notice_id, organization_id, org_path, recipients, reads"

# The reader's organization's row gains one read; a row is made when the organization held no
# recipient at sending (a member who joined or moved in since). Both engines (PostgreSQL, SQLite
# from 3.24) take ON CONFLICT … DO UPDATE.
ADD_READ = (
    "INSERT INTO notices_noticetally (notice_id, organization_id, org_path, recipients, reads)"
    " VALUES (%s, %s, %s, 0, 1)"
    " ON CONFLICT (notice_id, organization_id) DO UPDATE SET reads = notices_noticetally.reads + 1"
)


def capture_recipients(notice: Notice) -> int:
    """One row per organization holding recipients of `notice`, with how many it holds now (the
    recipients as of sending). One statement, run on the server: `queries.recipient_counts`
    joined to the organizations for their paths, inserted as it is read. Returns the rows made."""
    select, params = queries.recipient_counts(notice).query.sql_with_params()
    # `select` is Django's compiled query with its values kept apart in `params`: no input is
    # spliced into the text.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO notices_noticetally ({COLUMNS})"  # noqa: S608
            f" SELECT %s, o.id, o.path, c.n, 0 FROM ({select}) c"
            " JOIN organizations_organization o ON o.id = c.organization_id",
            [notice.pk, *params],
        )
        return cursor.rowcount


def add_read(notice: Notice, organization_id: int, org_path: str) -> None:
    """One more read in the reader's organization (only the row of that organization locks)."""
    with connection.cursor() as cursor:
        cursor.execute(ADD_READ, [notice.pk, organization_id, org_path])
