"""Point 10, the branch's online space: a month is active when the branch published something
(a notice sent, a visible discussion post) and each must-read notice of the month was read by
`read_share` % of its members within 7 days; the space is set up once anything was published.
Boundaries: exactly 60 % and exactly 7 days count; a second later does not."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.compliance import engine, queries
from dangjian.compliance.models import Result
from dangjian.discussion.models import Post, PostState, Thread, ThreadState
from dangjian.members.models import Member
from dangjian.notices.models import Notice, NoticeRead, NoticeState
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_member

from .factories import load

BRANCHES = "applies_to: {kinds: [branch]}"
SPACE = (
    "{code: space, point: 10, title: 每个基层党支部年底前建立网络互动平台, title_en: Online space set up, "
    "kind: deadline, metrics: [online.published], due: '12-31', " + BRANCHES + "}"
)
ACTIVE = (
    "{code: active, point: 10, title: 网络互动平台每月活跃, title_en: Online space active every month, "
    "kind: count, metric: online.active_month, period: month, min: 1, " + BRANCHES + "}"
)


def rules(*lines: str, settings: str = "warn_days: 14") -> str:
    body = "\n".join(f"  - {line}" for line in lines)
    return f"code: t\nname: test\nsettings: {{{settings}}}\nrules:\n{body}\n"


def result(org: Organization, code: str) -> tuple[str, int, int]:
    row = Result.objects.get(organization=org, rule__code=code, year=2026)
    return row.status, row.value, row.target


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def notice(org: Organization, sent_at: datetime, *, must_read: bool = True, **extra: Any) -> Notice:
    return Notice.objects.create(
        organization=org,
        title="通知",
        body="<p>内容</p>",
        must_read=must_read,
        state=NoticeState.SENT,
        sent_at=sent_at,
        **extra,
    )


def read(n: Notice, members: list[Member], after: timedelta) -> None:
    for m in members:
        NoticeRead.objects.create(
            notice=n,
            member=m,
            organization=m.organization,
            org_path=m.organization.path,
            read_at=n.sent_at + after,
        )


def post(org: Organization, on: datetime, **extra: Any) -> Post:
    thread_state = extra.pop("thread_state", ThreadState.OPEN)
    thread = Thread.objects.create(
        organization=org, author_name="张伟", title="讨论", last_activity_at=on, state=thread_state
    )
    row = Post.objects.create(
        thread=thread, organization=org, author_name="张伟", body="<p>好</p>", opening=True, **extra
    )
    Post.objects.filter(pk=row.pk).update(created_at=on)  # auto_now_add: set the day afterwards
    return row


@pytest.fixture
def five(world: World) -> list[Member]:
    """The branch with five members: three readers are exactly 60 %."""
    extra = [make_member(world.branch, name) for name in ("赵一", "钱二", "孙三")]
    return [world.member, world.member2, *extra]


@pytest.mark.django_db
def test_active_months_with_the_60_percent_and_7_day_boundaries(world: World, five: list[Member]) -> None:
    load(rules(SPACE, ACTIVE))
    post(world.branch, at(date(2026, 1, 20)))  # January: a post, no must-read notice
    feb = notice(world.branch, at(date(2026, 2, 10)))
    read(feb, five[:2], timedelta(days=1))
    read(feb, five[2:3], timedelta(days=7))  # exactly 7 days: counts → 3 of 5 = 60 %
    mar = notice(world.branch, at(date(2026, 3, 3)))
    read(mar, five[:2], timedelta(hours=2))
    read(mar, five[2:3], timedelta(days=7, seconds=1))  # a second late → 2 of 5 = 40 %
    post(world.branch, at(date(2026, 3, 5)))  # a post does not save a month short on reading
    # branch2: nothing members see — a hidden post, a held one, a withdrawn notice.
    post(world.branch2, at(date(2026, 1, 5)), hidden=True)
    post(world.branch2, at(date(2026, 2, 5)), state=PostState.HELD, thread_state=ThreadState.HELD)
    notice(world.branch2, at(date(2026, 3, 5)), must_read=False)
    Notice.objects.filter(organization=world.branch2).update(state=NoticeState.WITHDRAWN)

    engine.recompute(2026, today=date(2026, 4, 10))
    assert result(world.branch, "active") == ("overdue", 2, 12)  # January and February; March short
    assert result(world.branch, "space") == ("met", 1, 1)
    assert result(world.branch2, "active") == ("overdue", 0, 12)
    assert result(world.branch2, "space") == ("on_track", 0, 1)
    # The checklist's per-month detail agrees.
    item = next(i for i in queries.checklist(world.branch, 2026) if i.rule.code == "active")
    detail = queries.periods(item, world.branch, 2026, date(2026, 4, 10))
    assert [(p.met, p.missed) for p in detail[:4]] == [
        (True, False),
        (True, False),
        (False, True),
        (False, False),
    ]

    # One more reader in March within the 7 days makes it 60 %: every past month passes.
    read(mar, five[3:4], timedelta(days=6))
    engine.recompute(2026, today=date(2026, 4, 10))
    assert result(world.branch, "active") == ("on_track", 3, 12)
    engine.recompute(2026, today=date(2026, 4, 20))  # 10 days left, nothing in April yet
    assert result(world.branch, "active") == ("at_risk", 3, 12)
    # The space must be set up by 31 December: at risk near it, overdue after it.
    engine.recompute(2026, today=date(2026, 12, 20))
    assert result(world.branch2, "space") == ("at_risk", 0, 1)
    engine.recompute(2026, today=date(2027, 1, 2))
    assert result(world.branch2, "space") == ("overdue", 0, 1)
    assert result(world.branch, "space") == ("met", 1, 1)


@pytest.mark.django_db
def test_the_activity_feed_counts_as_published(world: World) -> None:
    """A meeting held shows in the branch's 支部动态: that is the space in use too; a hidden item
    (a withdrawn record's) is not."""
    from dangjian.feed.models import FeedItem
    from dangjian.feed.tests.helpers import closed_meeting, item_of

    load(rules(SPACE, ACTIVE))
    FeedItem.objects.filter(pk=item_of(closed_meeting(world.branch, "学习党章")).pk).update(
        occurred_at=at(date(2026, 2, 12))
    )
    hidden = item_of(closed_meeting(world.branch2, "党课"))
    FeedItem.objects.filter(pk=hidden.pk).update(occurred_at=at(date(2026, 2, 12)), hidden=True)
    engine.recompute(2026, today=date(2026, 3, 10))
    assert result(world.branch, "space") == ("met", 1, 1)
    assert result(world.branch, "active")[1] == 1  # February
    assert result(world.branch2, "space")[1] == 0 and result(world.branch2, "active")[1] == 0


@pytest.mark.django_db
def test_the_read_share_is_a_setting(world: World, five: list[Member]) -> None:
    load(rules(ACTIVE, settings="warn_days: 14, read_share: 40"))
    jan = notice(world.branch, at(date(2026, 1, 12)))
    read(jan, five[:2], timedelta(days=3))  # 40 %: enough under this rule set
    engine.recompute(2026, today=date(2026, 2, 3))
    assert result(world.branch, "active") == ("on_track", 1, 12)
    load(rules(ACTIVE, settings="warn_days: 14, read_share: 41"))
    engine.recompute(2026, today=date(2026, 2, 3))
    assert result(world.branch, "active") == ("overdue", 0, 12)


@pytest.mark.django_db
def test_monthly_activity_from_a_start_month(world: World) -> None:
    load(rules(ACTIVE.replace("min: 1,", "min: 1, start: 4,")))
    post(world.branch, at(date(2026, 1, 20)))  # before the start: not asked, not counted
    engine.recompute(2026, today=date(2026, 3, 10))
    row = Result.objects.get(organization=world.branch2, rule__code="active")
    assert (row.status, row.value, row.target, row.due_on) == ("on_track", 0, 9, date(2026, 4, 30))
    engine.recompute(2026, today=date(2026, 4, 10))
    assert result(world.branch, "active") == ("on_track", 0, 9)  # January is before the start
    post(world.branch, at(date(2026, 4, 2)))
    engine.recompute(2026, today=date(2026, 5, 3))
    assert result(world.branch, "active") == ("on_track", 1, 9)
    assert result(world.branch2, "active") == ("overdue", 0, 9)  # April missed
    item = next(i for i in queries.checklist(world.branch, 2026) if i.rule.code == "active")
    detail = queries.periods(item, world.branch, 2026, date(2026, 5, 3))
    assert [p.missed for p in detail[:5]] == [False, False, False, False, False]
    assert [p.before_start for p in detail[:4]] == [True, True, True, False]
    engine.recompute(2026, today=date(2027, 1, 5))
    assert result(world.branch, "active") == ("overdue", 1, 9)


@pytest.mark.django_db
def test_start_is_validated() -> None:
    from django.core.exceptions import ValidationError

    from dangjian.compliance.schema import parse

    with pytest.raises(ValidationError) as caught:
        parse(rules(ACTIVE.replace("min: 1,", "min: 1, start: 13,"), settings="read_share: 0"))
    text = " ".join(caught.value.messages)
    assert "start must be a whole number from 1 to 12" in text
    assert "settings.read_share must be a whole number from 1 to 100" in text
    with pytest.raises(ValidationError, match="start is only for a monthly or quarterly count"):
        parse(rules(ACTIVE.replace("period: month", "period: year").replace("min: 1,", "min: 1, start: 2,")))


@pytest.mark.django_db
def test_checklist_and_dashboard_show_the_rule(world: World) -> None:
    load(rules(SPACE, ACTIVE).replace("code: t\n", "code: t\nyear: 2026\n"))
    post(world.branch, at(date(2026, 1, 20)))
    engine.recompute(2026, today=date(2026, 2, 10))
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.county_staff)
    page = client.get(f"/orgs/{world.branch.pk}/compliance/?year=2026").content.decode()
    assert "Online space active every month" in page and "Online space set up" in page
    assert 'id="rule-active" data-status="on_track"' in page
    assert 'id="rule-space" data-status="met"' in page
    assert (
        'id="rule-active" data-status="overdue"'
        in client.get(f"/orgs/{world.branch2.pk}/compliance/?year=2026").content.decode()
    )
    board = client.get(f"/orgs/{world.township.pk}/supervision/?year=2026").content.decode()
    assert 'id="sort-active"' in board and "Online space active every month" in board
    assert f'id="row-{world.branch.code}"' in board


@pytest.mark.django_db(transaction=True)
def test_publishing_reading_and_hiding_refresh_the_branch(world: World) -> None:
    """Change events reach the result (Huey runs tasks at once in tests): sending a notice, its
    members reading it, withdrawing it, a new thread and hiding it."""
    from dangjian.discussion import services as discussion
    from dangjian.notices import services as notices

    load(
        rules(
            "{code: y, title: y, kind: count, metric: online.active_month, period: year, min: 1, "
            + BRANCHES
            + "}"
        )
    )
    year = timezone.localdate().year
    engine.recompute(year)

    def value() -> int:
        return Result.objects.get(organization=world.branch, rule__code="y", year=year).value

    assert value() == 0
    sent = notices.send_notice(
        notices.create_notice(
            world.branch,
            {"title": "学习通知", "body": "请阅读", "must_read": True},
            acting_user=world.secretary,
        ),
        acting_user=world.secretary,
    )
    assert value() == 0  # published, but nobody has read it yet: 0 of 2
    assert notices.mark_read(sent, world.member)
    assert value() == 0  # 1 of 2 = 50 %
    assert notices.mark_read(sent, world.member2)
    assert value() == 1  # 2 of 2
    notices.withdraw_notice(sent, acting_user=world.secretary)
    assert value() == 0
    thread = discussion.start_thread(world.branch, "讨论", "大家谈谈", acting_user=world.member_user)
    assert value() == 1
    discussion.hide_thread(thread, reason="不妥", acting_user=world.secretary)
    assert value() == 0


@pytest.mark.django_db(transaction=True)
def test_a_committee_notice_read_in_the_branches_queues_no_refresh(world: World) -> None:
    """Only the sending organization's own members count for its online space: a county's
    must-read notice read by branch members (millions, for a province's) emits no event."""
    from dangjian.core import events
    from dangjian.notices import services as notices

    sent = notices.send_notice(
        notices.create_notice(
            world.county,
            {"title": "县委通知", "body": "请阅读", "must_read": True, "cascade": True},
            acting_user=world.county_staff,
        ),
        acting_user=world.county_staff,
    )
    seen: list[tuple[str, int]] = []

    def record(topic: str, org_id: int, on: object) -> None:
        seen.append((topic, org_id))

    events.subscribe("notices.notice", record)
    try:
        assert notices.mark_read(sent, world.member)
        assert notices.mark_read(sent, world.member2)
    finally:
        events.unsubscribe("notices.notice", record)
    assert seen == []
