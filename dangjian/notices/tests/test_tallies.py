"""Read shares from the per-organization tallies: they agree with counting the members and reads
themselves, whatever happens after sending (reads, re-reads, withdrawal, joins, moves)."""

import importlib
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member, MemberStatus
from dangjian.notices import queries, services
from dangjian.notices.models import Notice, NoticeChildTally, NoticeRead, NoticeTally
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_member, make_org


def _sent(world: World, org: Organization, *, cascade: bool = True) -> Notice:
    notice = services.create_notice(
        org, {"title": "学习通知", "body": "<p>请阅</p>", "cascade": cascade}, acting_user=SYSTEM
    )
    return services.send_notice(notice, acting_user=SYSTEM)


def _shares(notice: Notice, org: Organization) -> dict[str, tuple[int, int]]:
    total, rows = queries.share_by_child(notice, org)
    shares = {(r.organization.name if r.organization else "direct"): (r.recipients, r.reads) for r in rows}
    return shares | {"total": (total.recipients, total.reads)}


def _exact(notice: Notice, org: Organization) -> dict[str, tuple[int, int]]:
    """The same figures counted from the members and the reads themselves."""

    def counts(node: Organization, own_only: bool) -> tuple[int, int]:
        members, reads = queries.recipients(notice, node), queries.reads_in(notice, node)
        if own_only:
            members, reads = members.filter(organization=node), reads.filter(organization=node)
        return members.count(), reads.count()

    _total, rows = queries.share_by_child(notice, org)
    exact = {
        (r.organization.name if r.organization else "direct"): counts(
            r.organization or org, r.organization is None
        )
        for r in rows
    }
    return exact | {"total": counts(org, False)}


def test_shares_equal_the_exact_counts_at_every_level(world: World) -> None:
    for name in ("赵敏", "钱进"):
        make_member(world.branch2, name)
    general = make_org(world.county, "机关党总支", "430102900", "general_branch")
    make_member(general, "孙丽")  # held directly by the general branch
    make_member(make_org(general, "机关第一党支部", "430102900001", "branch"), "周强")
    make_org(world.county, "新设党支部", "430102901", "branch")  # no members: listed at 0 of 0
    notice = _sent(world, world.province)
    for member in Member.objects.filter(name__in=["张伟", "赵敏", "孙丽", "王芳"]):
        assert services.mark_read(notice, member)
    orgs = (world.province, world.city, world.county, general, world.township, world.branch, world.county_b)
    for org in orgs:
        assert _shares(notice, org) == _exact(notice, org), org.name
    assert _shares(notice, general) == {"direct": (1, 1), "机关第一党支部": (1, 0), "total": (2, 1)}
    assert _shares(notice, world.county)["新设党支部"] == (0, 0)
    assert _shares(notice, world.province) == {"长沙市委": (7, 4), "total": (7, 4)}
    assert _shares(notice, world.township) == {"第一党支部": (2, 1), "第二党支部": (2, 1), "total": (4, 2)}


def test_sending_writes_one_row_per_organization_not_per_member(world: World) -> None:
    for i in range(5):
        make_member(world.branch2, f"成员{i}")
    Member.objects.filter(pk=world.member2.pk).update(status=MemberStatus.LOST_CONTACT)  # not counted
    notice = services.create_notice(
        world.province, {"title": "通知", "body": "<p>请阅</p>", "cascade": True}, acting_user=SYSTEM
    )
    with CaptureQueriesContext(connection) as queries_run:
        services.send_notice(notice, acting_user=SYSTEM)
    tallies = dict(NoticeTally.objects.filter(notice=notice).values_list("organization__name", "recipients"))
    assert tallies == {"第一党支部": 1, "第二党支部": 5, "坡子街党支部": 1}
    assert not any("notices_noticeread" in q["sql"] for q in queries_run.captured_queries)
    # The organizations' rows, then their sums per child of the sender.
    assert sum("INSERT INTO notices_notice" in q["sql"] for q in queries_run.captured_queries) == 2
    assert list(NoticeChildTally.objects.filter(notice=notice).values_list("recipients", flat=True)) == [7]


def test_a_second_reading_counts_once(world: World) -> None:
    notice = _sent(world, world.branch, cascade=False)
    assert services.mark_read(notice, world.member)
    assert not services.mark_read(notice, world.member)
    assert _shares(notice, world.branch) == {"total": (2, 1)}
    assert NoticeTally.objects.get(notice=notice).reads == 1


def test_readers_outside_the_recipients_change_nothing(world: World) -> None:
    notice = _sent(world, world.branch, cascade=False)
    other = make_member(world.branch2, "赵敏")  # another branch of the same township
    assert not services.mark_read(notice, other)
    assert not services.mark_read(notice, world.member_b)  # another county
    cascaded = _sent(world, world.county)
    assert not services.mark_read(cascaded, world.member_b)
    assert not NoticeRead.objects.exists()
    assert list(NoticeTally.objects.values_list("reads", flat=True).distinct()) == [0]


def test_withdrawn_keeps_its_shares_and_counts_no_more_reads(world: World) -> None:
    notice = _sent(world, world.county)
    services.mark_read(notice, world.member)
    notice = services.withdraw_notice(notice, acting_user=SYSTEM)
    assert not services.mark_read(notice, world.member2)
    assert _shares(notice, world.county) == {"定王台街道党工委": (2, 1), "total": (2, 1)}


def test_a_member_who_joined_after_sending_reads_within_a_full_share(world: World) -> None:
    notice = _sent(world, world.township)
    newcomer = make_member(world.branch2, "赵敏")  # branch2 had nobody at sending
    services.mark_read(notice, world.member)
    services.mark_read(notice, world.member2)
    assert services.mark_read(notice, newcomer)  # they receive it, and their read counts
    total, rows = queries.share_by_child(notice, world.township)
    by_name = {r.organization.name: r for r in rows if r.organization}
    assert (by_name["第二党支部"].recipients, by_name["第二党支部"].reads) == (0, 1)
    assert by_name["第二党支部"].percent == 100 and by_name["第二党支部"].unread == 0
    assert (total.recipients, total.reads, total.percent) == (2, 3, 100)  # as of sending


def test_a_moved_member_counts_where_they_read(world: World) -> None:
    notice = _sent(world, world.township)
    Member.objects.filter(pk=world.member2.pk).update(organization=world.branch2)
    moved = Member.objects.select_related("organization").get(pk=world.member2.pk)
    assert services.mark_read(notice, moved)
    assert _shares(notice, world.township) == {"第一党支部": (2, 0), "第二党支部": (0, 1), "total": (2, 1)}


def test_notices_sent_before_tallies_get_them_from_the_migration(world: World) -> None:
    make_member(world.branch2, "赵敏")
    notice = _sent(world, world.county)
    for member in (world.member, world.member2):
        services.mark_read(notice, member)
    withdrawn = services.withdraw_notice(_sent(world, world.branch, cascade=False), acting_user=SYSTEM)
    draft = services.create_notice(world.branch, {"title": "草稿", "body": "<p>x</p>"}, acting_user=SYSTEM)
    expected = {n.pk: _shares(n, n.organization) for n in (notice, withdrawn)}
    NoticeTally.objects.all().delete()
    NoticeChildTally.objects.all().delete()
    migration: Any = importlib.import_module("dangjian.notices.migrations.0003_tally_sent_notices")
    migration.tally_sent_notices(apps, None)
    assert {n.pk: _shares(n, n.organization) for n in (notice, withdrawn)} == expected
    assert not NoticeTally.objects.filter(notice=draft).exists()
    counts = NoticeTally.objects.values("notice").annotate(n=Count("id")).values_list("notice", "n")
    assert dict(counts) == {notice.pk: 2, withdrawn.pk: 1}
    assert NoticeChildTally.objects.filter(notice=notice).count() == 1  # the township
