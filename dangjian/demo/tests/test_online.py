"""The demo's online space and the year's work points, as a visitor of the demo meets them: loaded
once at the tiny scale (~240 organizations) for the whole module, rolled back at its end."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client, override_settings
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.compliance import schema
from dangjian.compliance.models import Result, Rule, RuleKind, Status
from dangjian.compliance.queries import matrix
from dangjian.demo.tests.test_demo import COUNTY, load
from dangjian.demo.workpoints import CODE, HUNAN_2017, STANDING, duplicated, measuring_part, work_points_text
from dangjian.discussion.models import Thread
from dangjian.feed.models import FeedItem, FeedKind
from dangjian.notices.models import Notice, NoticeRead
from dangjian.organizations.models import BRANCH_KINDS, Organization
from dangjian.polls.models import Ballot, BallotChoice, Elector, Poll, PollStatus, VoterMark


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The tiny demo, loaded once: each test runs in a savepoint inside the load's transaction."""
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def member(demo: None, db: None) -> User:
    return User.objects.select_related("member__organization").get(username="member")


def _page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_member_home_shows_an_unread_must_read_notice(member: User) -> None:
    assert member.member is not None
    branch = member.member.organization
    unread = Notice.objects.filter(organization=branch, must_read=True).exclude(reads__member=member.member)
    notice = unread.get()  # the one sent today; every earlier one the member has read
    assert notice.deadline is not None and notice.deadline > timezone.localdate()
    assert notice.title in _page(member, "/")
    # Most of the branch has read it already (the reads recorded through the service).
    assert notice.reads.count() >= 2


def test_member_branch_tab_has_notices_threads_an_open_poll_and_the_feed(member: User) -> None:
    assert member.member is not None
    branch = member.member.organization
    page = _page(member, "/my/branch/")
    pinned = Notice.objects.get(organization=branch, pinned=True)
    assert pinned.title in page
    threads = Thread.objects.filter(organization=branch)
    assert threads.filter(reply_count__gt=0).count() >= 2
    open_poll = Poll.objects.get(organization=branch, status=PollStatus.OPEN)
    assert open_poll.title in page
    # The member may still vote: an elector without a mark.
    assert Elector.objects.filter(poll=open_poll, member=member.member).exists()
    assert not VoterMark.objects.filter(poll=open_poll, member=member.member).exists()
    assert VoterMark.objects.filter(poll=open_poll).count() >= 1

    items = FeedItem.objects.filter(organization=branch, hidden=False)
    kinds = Counter(items.values_list("kind", flat=True))
    assert kinds[FeedKind.MEETING] >= 5 and kinds[FeedKind.NOTICE] >= 5, kinds
    with_share = items.filter(kind=FeedKind.MEETING, whole__gt=0).first()
    assert with_share is not None and 0 < with_share.part <= with_share.whole
    assert with_share.title in _page(member, f"/orgs/{branch.pk}/feed/")


def test_every_branch_of_the_county_has_a_feed_and_its_notices_are_read(demo: None, db: None) -> None:
    county = Organization.objects.get(code=COUNTY)
    branches = Organization.objects.filter(path__startswith=county.path, kind__in=BRANCH_KINDS)
    with_feed = branches.filter(
        pk__in=FeedItem.objects.filter(hidden=False).values("organization_id")
    ).count()
    assert with_feed / branches.count() > 0.9
    # The county's own must-read notices went down to every branch.
    assert Notice.objects.filter(organization=county, cascade=True, must_read=True).exists() or (
        timezone.localdate().month < 2
    )
    # A read keeps its reader's organization as it was (the counts per organization rely on it)
    # and never precedes the sending nor lies in the future.
    reads = NoticeRead.objects.all()
    assert reads.count() > 10_000
    assert not reads.exclude(organization_id=F("member__organization_id")).exists()
    assert not reads.exclude(org_path=F("member__organization__path")).exists()
    assert not reads.filter(read_at__lt=F("notice__sent_at")).exists()
    assert not reads.filter(read_at__gt=timezone.now()).exists()
    assert not Notice.objects.filter(must_read=True, deadline__isnull=True).exists()


def test_online_active_results_spread_across_branches(demo: None, db: None) -> None:
    year = timezone.localdate().year
    results = Result.objects.filter(rule__code="online-active", rule__rule_set__active=True, year=year)
    statuses = Counter(results.values_list("status", flat=True))
    total = sum(statuses.values())
    fine = statuses[Status.MET] + statuses[Status.ON_TRACK]
    assert total > 100
    if timezone.localdate().month >= 3:  # a missed month needs months behind it
        assert 0.45 <= fine / total <= 0.9, statuses
        assert statuses[Status.OVERDUE] >= 5, statuses
    # The county's supervision dashboard shows point 10 beside the standing rules.
    county = Organization.objects.get(code=COUNTY)
    data = matrix(county, year)
    codes = [c.rule.code for c in data.columns]
    assert {"online-active", "online-space", "branch-committee-monthly"} <= set(codes)


def test_work_points_repeat_no_standing_rule() -> None:
    text = work_points_text(2026)
    parsed = schema.parse(text)
    standing = schema.parse(STANDING.read_text(encoding="utf-8"))
    assert (parsed.code, parsed.year) == (CODE, 2026) and "2017" in parsed.name
    assert duplicated(parsed.rules, standing.rules) == []
    hunan = schema.parse(HUNAN_2017.read_text(encoding="utf-8"))
    dropped = {r.code for r in hunan.rules} - {r.code for r in parsed.rules}
    assert {"branch-assembly", "branch-committee", "group-meeting", "party-lecture", "term-change"} <= dropped
    # Only repeats are dropped: every point of the notice is measured by one set or the other.
    points = {r.point for r in parsed.rules} | {r.point for r in standing.rules}
    assert points >= {r.point for r in hunan.rules}
    assert {"online-space", "online-active"} <= {r.code for r in parsed.rules}


def test_loaded_rules_measure_nothing_twice(demo: None, db: None) -> None:
    year = timezone.localdate().year
    rules = list(
        Rule.objects.filter(rule_set__active=True)
        .filter(Q(rule_set__year=year) | Q(rule_set__year__isnull=True))
        .exclude(kind=RuleKind.NOT_MEASURED)
        .select_related("rule_set")
    )
    assert {r.rule_set.code for r in rules} == {"standing", CODE}
    keys: Counter[str] = Counter()
    for rule_set_code in {"standing", CODE}:
        own = [r for r in rules if r.rule_set.code == rule_set_code]
        as_parsed = {
            r.code: schema.ParsedRule(r.code, r.kind, r.title, r.title_en, r.point, r.spec) for r in own
        }
        keys.update(measuring_part(rule, as_parsed) for rule in as_parsed.values())
    assert [k for k, n in keys.items() if n > 1] == []


def test_anonymous_ballots_are_not_linked_to_voters(demo: None, db: None) -> None:
    closed = Poll.objects.filter(status=PollStatus.CLOSED).annotate(
        marks_n=Count("marks", distinct=True),
        ballots_n=Count("ballots", distinct=True),
        electors_n=Count("electors", distinct=True),
    )
    assert closed.filter(anonymous=True, marks_n__gt=0).exists()
    for poll in closed:
        # One ballot per voter, voters among the electorate frozen at opening.
        assert poll.marks_n == poll.ballots_n <= poll.electors_n == poll.eligible_count
        assert poll.opened_at < poll.closes_at and poll.closed_at is not None
    # The mark of an anonymous vote points at no ballot; a named poll's marks each at theirs.
    assert not VoterMark.objects.filter(poll__anonymous=True, ballot__isnull=False).exists()
    named = VoterMark.objects.filter(poll__anonymous=False, poll__status=PollStatus.CLOSED)
    assert not named.filter(ballot__isnull=True).exists()
    assert not named.exclude(ballot__poll=F("poll")).exists()
    # Nothing on a ballot names a member, and each holds no more choices than allowed.
    assert {f.name for f in Ballot._meta.concrete_fields} == {"id", "poll"}
    too_many = Ballot.objects.annotate(n=Count("choices")).filter(Q(n=0) | Q(n__gt=F("poll__max_choices")))
    assert not too_many.exists()
    assert not BallotChoice.objects.exclude(option__poll=F("ballot__poll")).exists()
    # The closed poll shows in the feed with its turnout.
    item = FeedItem.objects.filter(kind=FeedKind.POLL_CLOSED).first()
    assert item is not None and item.whole and item.part is not None and item.part <= item.whole
