"""The branch's online space (point 10): what the branch publishes there, and whether its members
read what they must.

- Published: a notice the branch sent (still sent, not withdrawn), a post in its discussion
  that members see (published, not hidden, in a published thread that is not hidden; a thread's
  opening post is its body, so a new thread counts as a post), and an item of its activity feed
  (支部动态, not hidden: a meeting held, a member welcomed, `docs/feed.md`). Placed by the
  notice's sending time, the post's writing time and the activity's date.
- Active month: a month in which the branch published something and each must-read notice it
  sent that month was read by at least `settings.read_share` percent (default 60) of its
  recipients within 7 days of sending. A month without a must-read notice passes that half.
  Recipients are the branch's own members as the notices app counts them (status active: full
  and probationary); reads are theirs. The count is of members now: no membership history
  exists per month.

`online.active_month` keeps the publications of the months that pass (a monthly count with
`min: 1` asks for one active month each month); `online.published` keeps all of them (a deadline
rule asks for the space to have been used by 31 December).
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.discussion.models import Post, PostState, ThreadState
from dangjian.feed.models import FeedItem, FeedKind
from dangjian.members.models import Member
from dangjian.notices.models import Notice, NoticeRead, NoticeState
from dangjian.notices.queries import READ_IN_TIME, RECIPIENT_STATUSES

from ..metrics import Events, register
from ..schema import DEFAULT_READ_SHARE

TOPICS = ("notices.notice", "discussion.post")


def _notices_link(org: Any, year: int) -> str:
    return reverse("org_notices", args=[org.pk])


def _sent(year: int) -> QuerySet[Notice]:
    return Notice.objects.filter(state=NoticeState.SENT, sent_at__year=year)


def _visible_posts(year: int) -> QuerySet[Post]:
    return Post.objects.filter(
        state=PostState.PUBLISHED,
        hidden=False,
        thread__hidden=False,
        thread__state__in=(ThreadState.OPEN, ThreadState.CLOSED),
        created_at__year=year,
    )


def _feed_items(year: int) -> QuerySet[FeedItem]:
    # The branch's 支部动态: what it did, shown in its space (a meeting held, a member welcomed).
    # Its notices are counted from the notices themselves, whose state is the authority.
    return FeedItem.objects.filter(hidden=False, occurred_at__year=year).exclude(kind=FeedKind.NOTICE)


def short_read_notices(year: int, share: int) -> QuerySet[Notice]:
    """Must-read notices of `year` that fewer than `share` percent of the sender's members read
    within 7 days of sending. Two correlated counts per notice, both on indexes (reads by
    notice; members by organization)."""
    reads = (
        NoticeRead.objects.filter(
            notice=OuterRef("pk"),
            organization_id=OuterRef("organization_id"),
            read_at__lte=OuterRef("sent_at") + Value(READ_IN_TIME),
        )
        .order_by()
        .values("notice")
        .annotate(n=Count("*"))
        .values("n")
    )
    members = (
        Member.objects.filter(status__in=RECIPIENT_STATUSES, organization_id=OuterRef("organization_id"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        _sent(year)
        .filter(must_read=True)
        .alias(cx_reads=Coalesce(Subquery(reads), 0), cx_members=Coalesce(Subquery(members), 0))
        .filter(LessThan(F("cx_reads") * 100, F("cx_members") * share))
    )


def _month_key(on: str) -> Any:
    # An organization's month as one number, organization id × 100 + month.
    return ExpressionWrapper(F("organization_id") * 100 + ExtractMonth(on), output_field=IntegerField())


def _in_active_month(rows: QuerySet[Any], year: int, settings: Mapping[str, Any], on: str) -> QuerySet[Any]:
    # The publication's own month passes when no must-read notice of that month fell short. The
    # short months are one uncorrelated subquery, computed once and probed per publication (a
    # correlated EXISTS recounted each must-read notice's reads for every publication: minutes
    # for a county's year of notices, feed items and posts).
    share = settings.get("read_share", DEFAULT_READ_SHARE)
    short = (
        short_read_notices(year, share).annotate(cx_short_key=_month_key("sent_at")).values("cx_short_key")
    )
    return rows.alias(cx_month_key=_month_key(on)).exclude(cx_month_key__in=Subquery(short))


def _active_notices(year: int, settings: Mapping[str, Any]) -> QuerySet[Notice]:
    return _in_active_month(_sent(year), year, settings, "sent_at")


def _active_posts(year: int, settings: Mapping[str, Any]) -> QuerySet[Post]:
    return _in_active_month(_visible_posts(year), year, settings, "created_at")


def _active_feed(year: int, settings: Mapping[str, Any]) -> QuerySet[FeedItem]:
    return _in_active_month(_feed_items(year), year, settings, "occurred_at")


def _posts(name: str, rows: Any, tuned: Any = None) -> Events:
    # The discussion part of a metric: counted together with the notices (never registered).
    return Events(f"{name}.posts", name, rows, org="organization_id", on="created_at", tuned=tuned)


def _feed(name: str, rows: Any, tuned: Any = None) -> Events:
    # The activity feed's part of a metric, likewise.
    return Events(f"{name}.feed", name, rows, org="organization_id", on="occurred_at", tuned=tuned)


register(
    Events(
        "online.published",
        _("Notices sent and discussion posts published by the branch"),
        _sent,
        org="organization_id",
        on="sent_at",
        topics=TOPICS,
        records=_notices_link,
        more=(_posts("online.published", _visible_posts), _feed("online.published", _feed_items)),
    ),
    Events(
        "online.active_month",
        _("Publications in months whose must-read notices were read in time"),
        lambda year: _active_notices(year, {}),
        org="organization_id",
        on="sent_at",
        topics=TOPICS,
        records=_notices_link,
        more=(
            _posts("online.active_month", lambda year: _active_posts(year, {}), _active_posts),
            _feed("online.active_month", lambda year: _active_feed(year, {}), _active_feed),
        ),
        tuned=_active_notices,
    ),
)
