# Tallies for the notices sent before tallies existed: recipients as counted when this runs (the
# members on the roll now, as sending would have counted them), reads as recorded (grouped by
# the reader's organization), and their sums per child of the sender. Withdrawn notices too:
# their shares stay on their pages.

from django.db import migrations
from django.db.models import Count, Max

RECIPIENT_STATUSES = ("active",)  # queries.RECIPIENT_STATUSES when this was written
STEPLEN = 4  # core.tree.STEPLEN


def tally_sent_notices(apps, schema_editor):  # type: ignore[no-untyped-def]
    Notice = apps.get_model("notices", "Notice")
    NoticeRead = apps.get_model("notices", "NoticeRead")
    NoticeTally = apps.get_model("notices", "NoticeTally")
    NoticeChildTally = apps.get_model("notices", "NoticeChildTally")
    Member = apps.get_model("members", "Member")
    for notice in Notice.objects.filter(state__in=("sent", "withdrawn")).select_related("organization"):
        if NoticeTally.objects.filter(notice=notice).exists():
            continue
        members = Member.objects.filter(status__in=RECIPIENT_STATUSES)
        if notice.cascade:
            members = members.filter(organization__path__startswith=notice.organization.path)
        else:
            members = members.filter(organization_id=notice.organization_id)
        rows = {
            org_id: [path, n, 0]
            for org_id, path, n in members.order_by()
            .values("organization_id", "organization__path")
            .annotate(n=Count("id"))
            .values_list("organization_id", "organization__path", "n")
        }
        reads = (
            NoticeRead.objects.filter(notice=notice)
            .order_by()
            .values("organization_id")
            .annotate(n=Count("id"), path=Max("org_path"))
            .values_list("organization_id", "path", "n")
        )
        for org_id, path, n in reads:
            rows.setdefault(org_id, [path, 0, 0])[2] = n
        NoticeTally.objects.bulk_create(
            [
                NoticeTally(notice=notice, organization_id=org_id, org_path=path, recipients=n, reads=r)
                for org_id, (path, n, r) in rows.items()
            ],
            batch_size=5000,
        )
        children: dict[str, list[int]] = {}
        for path, n, r in rows.values():
            child = children.setdefault(path[: len(notice.organization.path) + STEPLEN], [0, 0])
            child[0] += n
            child[1] += r
        NoticeChildTally.objects.bulk_create(
            [
                NoticeChildTally(notice=notice, path=path, recipients=n, reads=r)
                for path, (n, r) in children.items()
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0002_notice_tallies"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(tally_sent_notices, migrations.RunPython.noop),
    ]
