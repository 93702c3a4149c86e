"""The tallies of a notice (`NoticeTally` per organization, `NoticeChildTally` per child of the
sender): written when it is sent and when a member first reads it, never per recipient at
sending, never on one row shared by every reader.

Called by `services` inside their transactions (the audit of sending covers the capture; a read
is not audited, docs/notices.md). Raw SQL because each is one statement: INSERT … SELECT grouped
on the server, or an upsert.
"""

from django.db import connection

from dangjian.core.tree import STEPLEN

from . import queries
from .models import Notice, NoticeChildTally

# The reader's organization's row gains one read; a row is made when the organization held no
# recipient at sending (a member who joined or moved in since). Both engines (PostgreSQL, SQLite
# from 3.24) take ON CONFLICT … DO UPDATE.
ADD_READ = (
    "INSERT INTO notices_noticetally (notice_id, organization_id, org_path, recipients, reads)"
    " VALUES (%s, %s, %s, 0, 1)"
    " ON CONFLICT (notice_id, organization_id) DO UPDATE SET reads = notices_noticetally.reads + 1"
)
ADD_CHILD_READ = (
    "INSERT INTO notices_noticechildtally (notice_id, path, stripe, recipients, reads)"
    " VALUES (%s, %s, %s, 0, 1)"
    " ON CONFLICT (notice_id, path, stripe) DO UPDATE SET reads = notices_noticechildtally.reads + 1"
)
# The per-child sums of the rows just captured: one row per child of the sender (and one for the
# sender's own members, whose path is shorter than a child's), on stripe 0.
SUM_CHILDREN = (
    "INSERT INTO notices_noticechildtally (notice_id, path, stripe, recipients, reads)"
    " SELECT notice_id, substr(org_path, 1, %s), 0, sum(recipients), 0 FROM notices_noticetally"
    " WHERE notice_id = %s GROUP BY notice_id, 2"
)


def capture_recipients(notice: Notice) -> int:
    """One row per organization holding recipients of `notice`, with how many it holds now (the
    recipients as of sending), then their sums per child of the sender. Two statements run on
    the server: `queries.recipient_counts` joined to the organizations for their paths, and the
    sums of what it wrote. Returns the organizations tallied."""
    select, params = queries.recipient_counts(notice).query.sql_with_params()
    depth = len(notice.organization.path) + STEPLEN
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Grouping 4.3 million members into 212,000 counts fits in memory with this much
            # (4 MB, the default, spills it to disk); for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # `select` is Django's compiled query with its values kept apart in `params`: no input
        # is spliced into the text.
        cursor.execute(
            "INSERT INTO notices_noticetally (notice_id, organization_id, org_path, recipients, reads)"  # noqa: S608
            f" SELECT %s, o.id, o.path, c.n, 0 FROM ({select}) c"
            " JOIN organizations_organization o ON o.id = c.organization_id",
            [notice.pk, *params],
        )
        organizations = cursor.rowcount
        cursor.execute(SUM_CHILDREN, [depth, notice.pk])
    return organizations


def child_path(notice: Notice, org_path: str) -> str:
    """The sender's child containing an organization of the notice's reach (the sender's own
    path for the sender itself)."""
    return org_path[: len(notice.organization.path) + STEPLEN]


def add_read(notice: Notice, organization_id: int, org_path: str, member_id: int) -> None:
    """One more read in the reader's organization and in one stripe of the sender's child above
    it. Always in this order (organization, then child), so two readers never wait on each
    other in a cycle; only the readers of one organization wait on the same first row."""
    stripe = member_id % NoticeChildTally.STRIPES
    with connection.cursor() as cursor:
        cursor.execute(ADD_READ, [notice.pk, organization_id, org_path])
        cursor.execute(ADD_CHILD_READ, [notice.pk, child_path(notice, org_path), stripe])
