"""The online space of the demo county (point 10 of the work points): notices and who read them,
discussion threads, polls, and the activity feed, for every branch and every month of the year so
far — so the 支部 tab, the feed and the online-space rules have something to show.

Each branch behaves as its profile in `life.py` says (the same draw: `create_county_life` hands
back each branch's profile), seeded, so the same seed gives the same space:

| profile | a notice in a month | must-read share | read within 7 days (must-read) | thread in a month |
|---|---|---|---|---|
| steady | 95 % (and a second 45 %) | 40 % | 65–95 % of the members, 2 % fall short | 40 % |
| lagging | 65 % | 40 % | 45–90 % | 15 % |
| weak | 15 % | 30 % | 10–50 % | 3 % |

The county committee sends four must-read notices down to the whole county during the year;
their readers follow their own branch's profile. About one steady branch in four holds a poll
(closed, with ballots). The personas' branch gets the liveliest space: the same past months as a
steady branch, a pinned notice, and — made through the services, as a secretary would today — a
must-read notice the `member` persona has not read yet, two threads with replies and an open poll
the member can still vote in.

Volume is written in bulk (one prepared INSERT per batch, no audit entry per row, one summary
entry for the load), keeping what the services keep: a read carries its reader's organization and
path, a sent notice its sending time (a must-read one its deadline, 7 days on), a thread its reply
count and latest activity, and a closed poll its frozen electorate, one voter mark per ballot and,
when anonymous, ballots with random keys written apart from the marks and in shuffled order, as
`polls.services._redeal_ballots` leaves them. The feed's items are then written by its backfill.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import audit
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.demo.helpers import Table
from dangjian.discussion.models import Post, PostState, Thread, ThreadState
from dangjian.discussion.services import reply, start_thread
from dangjian.feed import services as feed_services
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.notices.models import Notice, NoticeState
from dangjian.notices.services import create_notice, mark_read, send_notice
from dangjian.organizations.models import Organization
from dangjian.polls.models import Ballot, BallotChoice, Elector, Option, Poll, PollKind, PollStatus, VoterMark
from dangjian.polls.services import VOTING_STATUSES, cast_vote, create_poll, open_poll

from .life import BRANCH_KINDS

READ_IN_TIME = timedelta(days=7)


@dataclass(frozen=True)
class Online:
    notice: float  # a notice in a month
    second: float  # a second one that month
    must_read: float  # a notice is must-read
    in_time: tuple[float, float]  # share of members reading a must-read notice within 7 days
    short: float  # chance a must-read notice falls short all the same (a busy harvest month)
    other_read: tuple[float, float]  # share reading an ordinary notice (any time)
    thread: float  # a thread in a month
    poll: float  # a closed poll during the year
    county_read: float  # share of its members reading a notice of the county


ONLINE = {
    "steady": Online(0.95, 0.45, 0.4, (0.65, 0.95), 0.02, (0.4, 0.8), 0.4, 0.25, 0.85),
    "lagging": Online(0.65, 0.15, 0.4, (0.45, 0.9), 0.0, (0.2, 0.6), 0.15, 0.05, 0.6),
    "weak": Online(0.15, 0.0, 0.3, (0.1, 0.5), 0.0, (0.1, 0.4), 0.03, 0.0, 0.3),
}
LIVELY = Online(1.0, 0.8, 0.5, (0.75, 0.95), 0.0, (0.5, 0.85), 0.8, 1.0, 0.9)

NOTICES = (
    (
        "关于召开{m}月支部党员大会的通知",
        "请全体党员于本月中旬准时参加支部党员大会，学习上级文件精神，讨论支部重点工作。",
        True,
    ),
    (
        "关于缴纳{m}月份党费的通知",
        "请各位党员按时足额缴纳本月党费，可通过线上或现金方式交纳，有困难的请与组织委员联系。",
        True,
    ),
    (
        "关于开展{m}月主题党日活动的通知",
        "本月主题党日活动安排在党员活动室，请大家提前安排好时间，不能参加的向书记请假。",
        True,
    ),
    ("关于学习《中国共产党支部工作条例》的通知", "请各位党员自学条例全文，党小组会上交流学习体会。", True),
    ("{m}月份党小组学习安排", "各党小组按本月学习主题自行组织学习讨论，做好记录。", False),
    ("关于报送党员学习心得的通知", "请每位党员结合本人实际撰写一篇学习心得，交党小组长汇总。", False),
    ("关于开展志愿服务活动的通知", "支部组织党员参加环境整治志愿服务，欢迎大家报名。", False),
    ("支部{m}月工作安排", "本月支部重点做好三会一课、党费收缴和联系服务群众工作。", False),
    ("关于走访慰问困难党员群众的通知", "支部委员分片走访困难党员和群众，了解实际困难，帮助解决问题。", False),
)
MUSTABLE = sum(1 for *_, can in NOTICES if can)  # titles that can be must-read
COUNTY_NOTICES = (
    (2, "关于开展党员冬春训工作的通知", "各基层党组织要结合实际组织好党员冬春训，确保全员参训。"),
    (5, "关于做好党费收缴使用管理工作的通知", "各基层党组织要严格按标准收缴党费，按时上缴，规范管理。"),
    (
        6,
        '关于开展"七一"主题党日活动的通知',
        "各基层党组织要围绕建党纪念日组织开展主题党日活动，重温入党誓词。",
    ),
    (
        11,
        "关于做好年度民主评议党员工作的通知",
        "各基层党组织要在年底前完成民主评议党员工作，评议结果报上级党委审核。",
    ),
)
THREADS = (
    ("学习心得交流：{theme}", "结合这次学习，谈谈自己的体会，欢迎大家交流。"),
    ("本月主题党日活动形式建议", "大家觉得这个月的主题党日活动怎么安排更好？欢迎提建议。"),
    ("关于村里环境整治的想法", "最近村道两边垃圾较多，建议党员带头开展一次清理活动。"),
    ("党费线上缴纳方式请教", "外出务工的党员怎么在线上交党费？请组织委员讲一下。"),
    ("志愿服务报名", "周末支部组织志愿服务，需要报名的在下面回复。"),
)
REPLIES = (
    "赞同，我报名参加。",
    "学习了，很受启发。",
    "建议活动安排在周末，方便外出务工的党员参加。",
    "收到，按时参加。",
    "谢谢书记的安排，我来帮忙组织。",
    "同意，我所在的党小组可以先行动起来。",
)
THEMES = ("学习党章党规", "传承红色基因", "乡村振兴与基层治理", "发挥党员先锋模范作用", "作风建设与廉洁自律")
POLLS = (
    ("主题党日活动形式征集", ["参观红色教育基地", "开展志愿服务", "集中学习研讨"], PollKind.SINGLE),
    ("支部活动时间安排", ["周六上午", "周日下午", "工作日晚上"], PollKind.SINGLE),
    ("年度学习重点推荐", ["党章党规", "党的创新理论", "党史学习", "业务知识"], PollKind.MULTIPLE),
)
BODY = "<p>各位党员：</p><p>{text}</p><p>{sender}</p>"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class _Member:
    id: int
    name: str
    org_id: int
    org_path: str


class _Space:
    """Everything made for the county, written table by table at the end."""

    def __init__(self, now: datetime, seed: int) -> None:
        self.now = now
        self.seed = seed
        self.rng = random.Random(seed)
        self.notices = Table(Notice)
        self.notice_reads: list[tuple[int, list[tuple[_Member, datetime]]]] = []  # row index → reads
        self.threads = Table(Thread)
        self.thread_posts: list[tuple[int, list[dict[str, Any]]]] = []
        self.polls: list[tuple[dict[str, Any], list[str], list[_Member], float]] = []

    def reseed(self, *key: object) -> None:
        """A draw of its own for each branch and month (a string seed is hashed the same on
        every run): what happens in one month, or today's hour, moves nothing elsewhere."""
        self.rng = random.Random(":".join(map(str, (self.seed, *key))))

    # -- notices ---------------------------------------------------------------------------
    def notice(
        self,
        org: Organization | tuple[int, str],
        sent_at: datetime,
        title: str,
        text: str,
        *,
        must_read: bool,
        readers: list[_Member],
        in_time: float,
        late: float = 0.4,
        cascade: bool = False,
        pinned: bool = False,
        always: Sequence[int] = (),
    ) -> None:
        """A sent notice and its reads: `in_time` of `readers` within 7 days, of the others
        `late` after that (what has happened by now only). Members in `always` read it in time."""
        org_id, name = (org.pk, org.name) if isinstance(org, Organization) else org
        rng = self.rng
        index = self.notices.add(
            organization_id=org_id,
            cascade=cascade,
            title=title[:100],
            body=BODY.format(text=text, sender=name),
            must_read=must_read,
            deadline=(sent_at + READ_IN_TIME).date() if must_read else None,
            pinned=pinned,
            state=NoticeState.SENT,
            created_at=sent_at - timedelta(hours=rng.randint(1, 20)),
            sent_at=sent_at,
            version=2,  # created, then sent
        )
        count = round(in_time * len(readers))
        chosen = set(rng.sample(range(len(readers)), count)) if readers else set()
        reads: list[tuple[_Member, datetime]] = []
        for i, member in enumerate(readers):
            if i in chosen or member.id in always:
                # Most read on the day or the next; a few wait a few days.
                delay = timedelta(
                    minutes=int(rng.random() ** 3 * (READ_IN_TIME.total_seconds() / 60 - 60)) + 5
                )
            elif rng.random() < late:
                delay = READ_IN_TIME + timedelta(hours=rng.randint(2, 24 * 30))
            else:
                continue
            if member.id in always:
                # The personas have read everything sent before now (today's notice, made apart,
                # is their one unread): never a reading time still to come, whatever the hour.
                delay = min(delay, (self.now - sent_at) / 2)
            if sent_at + delay < self.now:
                reads.append((member, sent_at + delay))
        self.notice_reads.append((index, reads))

    # -- discussion ------------------------------------------------------------------------
    def thread(
        self, org: Organization | tuple[int, str], at: datetime, members: list[_Member], replies: int
    ) -> None:
        rng = self.rng
        org_id = org.pk if isinstance(org, Organization) else org[0]
        title, text = rng.choice(THREADS)
        author = rng.choice(members)
        posts = [dict(author=author, body=f"<p>{text}</p>", opening=True, created_at=at)]
        when = at
        for _ in range(replies):
            when = when + timedelta(minutes=rng.randint(20, 60 * 48))
            if when >= self.now:
                break
            posts.append(
                dict(
                    author=rng.choice(members),
                    body=f"<p>{rng.choice(REPLIES)}</p>",
                    opening=False,
                    created_at=when,
                )
            )
        closed = at < self.now - timedelta(days=60) and rng.random() < 0.5
        self.threads.add(
            organization_id=org_id,
            author_id=None,
            author_name=author.name,
            title=title.format(theme=rng.choice(THEMES))[:80],
            state=ThreadState.CLOSED if closed else ThreadState.OPEN,
            created_at=at,
            last_activity_at=posts[-1]["created_at"],
            reply_count=len(posts) - 1,
        )
        self.thread_posts.append((org_id, posts))

    # -- polls -----------------------------------------------------------------------------
    def poll(self, org_id: int, opened_at: datetime, electors: list[_Member], turnout: float) -> None:
        """A closed poll of the branch's whole electorate (as `open_poll` froze it)."""
        rng = self.rng
        title, labels, kind = rng.choice(POLLS)
        closes_at = opened_at + timedelta(days=rng.randint(3, 7))
        if not electors or closes_at >= self.now:
            return
        fields = {
            "organization_id": org_id,
            "title": title,
            "description": "请全体正式党员投票，结果在投票结束后公布。",
            "kind": kind,
            "max_choices": 2 if kind == PollKind.MULTIPLE else 1,
            "anonymous": rng.random() < 0.85,
            "closes_at": closes_at,
            "status": PollStatus.CLOSED,
            "opened_at": opened_at,
            "closed_at": closes_at,  # closed by the periodic task at its deadline
            "eligible_count": len(electors),
            "created_at": opened_at - timedelta(hours=rng.randint(1, 48)),
        }
        self.polls.append((fields, labels, electors, turnout))

    # -- writing ---------------------------------------------------------------------------
    def write(self) -> dict[str, int]:
        notice_ids = self.notices.write()
        reads = 0
        with connection.cursor() as cursor:
            batch: list[list[Any]] = []
            adapt = connection.ops.adapt_datetimefield_value
            for index, rows in self.notice_reads:
                notice_id = notice_ids[index]
                for member, read_at in rows:
                    batch.append([notice_id, member.id, member.org_id, member.org_path, adapt(read_at)])
                if len(batch) >= 10000:
                    cursor.executemany(INSERT_READ, batch)
                    reads += len(batch)
                    batch = []
            cursor.executemany(INSERT_READ, batch)
            reads += len(batch)
        posts = self._write_threads()
        votes = self._write_polls()
        return {
            "notices": len(notice_ids),
            "reads": reads,
            "threads": len(self.thread_posts),
            "posts": posts,
        } | votes

    def _write_threads(self) -> int:
        thread_ids = self.threads.write()
        posts = Table(Post)
        for thread_id, (org_id, rows) in zip(thread_ids, self.thread_posts, strict=True):
            for row in rows:
                author = row["author"]
                posts.add(
                    thread_id=thread_id,
                    organization_id=org_id,  # the thread's, kept on each post for scoping
                    author_id=None,
                    author_name=author.name,
                    opening=row["opening"],
                    body=row["body"],
                    state=PostState.PUBLISHED,
                    created_at=row["created_at"],
                )
        posts.write()
        return len(posts.rows)

    def _write_polls(self) -> dict[str, int]:
        polls = Table(Poll)
        for fields, _labels, _electors, _turnout in self.polls:
            polls.add(**fields)
        poll_ids = polls.write()
        options = Table(Option)
        for poll_id, (_fields, labels, _electors, _turnout) in zip(poll_ids, self.polls, strict=True):
            for position, label in enumerate(labels):
                options.add(poll_id=poll_id, label=label, position=position)
        option_ids = iter(options.write())
        electors, marks, ballots, choices = (
            Table(Elector),
            Table(VoterMark),
            Table(Ballot),
            Table(BallotChoice),
        )
        shuffle = secrets.SystemRandom().shuffle
        for poll_id, (fields, labels, voters, turnout) in zip(poll_ids, self.polls, strict=True):
            self.reseed("ballots", fields["organization_id"], fields["opened_at"].isoformat())
            ids = [next(option_ids) for _ in labels]
            for member in voters:
                electors.add(poll_id=poll_id, member_id=member.id)
            voted = [m for m in voters if self.rng.random() < turnout]
            # What each voter chose, drawn in voter order (seeded: the same counts each load).
            sets = [self._choose(ids, fields["kind"], fields["max_choices"]) for _ in voted]
            named = not fields["anonymous"]
            keys = [uuid.uuid4() for _ in sets]
            for member, key in zip(voted, keys, strict=True):
                marks.add(poll_id=poll_id, member_id=member.id, ballot_id=key if named else None)
            order = list(range(len(sets)))
            if not named:
                shuffle(order)  # as redealt at closing: no row order links a ballot to a mark
            for i in order:
                ballots.add(id=keys[i], poll_id=poll_id)
                for option_id in sets[i]:
                    choices.add(id=uuid.uuid4(), ballot_id=keys[i], option_id=option_id)
        electors.write()
        ballots.write()  # before the marks of named polls, which point at them
        choices.write()
        marks.write()
        return {"polls": len(poll_ids), "ballots": len(ballots.rows)}

    def _choose(self, option_ids: list[int], kind: str, most: int) -> list[int]:
        if kind == PollKind.MULTIPLE:
            return sorted(self.rng.sample(option_ids, self.rng.randint(1, most)))
        weights = [len(option_ids) - i for i in range(len(option_ids))]  # the first option leads
        return self.rng.choices(option_ids, weights=weights)


INSERT_READ = (
    "INSERT INTO notices_noticeread (notice_id, member_id, organization_id, org_path, read_at)"
    " VALUES (%s, %s, %s, %s, %s)"
)


def _members(
    subtree: models.QuerySet[Organization],
) -> tuple[dict[int, list[_Member]], dict[int, list[_Member]]]:
    """Each organization's members who receive its notices (status active), and those who would
    be frozen as a poll's electorate (full members of the voting statuses), in id order."""
    receive: dict[int, list[_Member]] = {}
    vote: dict[int, list[_Member]] = {}
    rows = (
        Member.objects.filter(organization__in=subtree, status__in={MemberStatus.ACTIVE, *VOTING_STATUSES})
        .order_by("id")
        .values_list("id", "name", "organization_id", "organization__path", "category", "status")
    )
    for pk, name, org_id, path, category, status in rows:
        member = _Member(pk, name, org_id, path)
        if status == MemberStatus.ACTIVE:
            receive.setdefault(org_id, []).append(member)
        if category == MemberCategory.FULL and status in VOTING_STATUSES:
            vote.setdefault(org_id, []).append(member)
    return receive, vote


def _month_days(year: int, month: int, today: date) -> range:
    last = 28 if month != today.month else min(28, today.day)
    return range(1, last + 1)


def _branch_month(
    space: _Space,
    org: tuple[int, str],
    members: list[_Member],
    profile: Online,
    year: int,
    month: int,
    today: date,
    always: Sequence[int] = (),
) -> None:
    rng = space.rng
    days = _month_days(year, month, today)
    wanted = 0
    if rng.random() < profile.notice:
        wanted = 2 if rng.random() < profile.second else 1
    titles = rng.sample(NOTICES, wanted)
    for title, text, can_be_must in titles:
        sent_at = _at(date(year, month, rng.choice(days)), rng.randint(8, 18), rng.choice((0, 15, 30, 45)))
        if sent_at >= space.now:
            continue
        must = can_be_must and rng.random() < profile.must_read * len(NOTICES) / MUSTABLE
        if must:
            low, high = profile.in_time
            share = rng.uniform(low, high)
            if rng.random() < profile.short:
                share = rng.uniform(0.3, 0.55)
        else:
            share = rng.uniform(*profile.other_read)
        space.notice(
            org,
            sent_at,
            title.format(m=month),
            text,
            must_read=must,
            readers=members,
            in_time=share,
            always=always,
        )
    if members and rng.random() < profile.thread:
        at = _at(date(year, month, rng.choice(days)), rng.randint(8, 21), rng.randint(0, 59))
        if at < space.now:
            space.thread(org, at, members, rng.choice((0, 1, 2, 2, 3, 4)))


def create_county_online(
    root: Organization,
    profiles: dict[int, str],
    *,
    lively: Organization | None = None,
    today: date | None = None,
    seed: int = 2017,
) -> dict[str, int]:
    """The online space of the year so far under `root`: every branch in `profiles` (branch id →
    profile name, as `create_county_life` drew them) and the `lively` personas' branch; the county's
    own notices to all; the feed caught up. Returns what was made."""
    today = today or timezone.localdate()
    year, now = today.year, timezone.now()
    space = _Space(now, seed * 104729 + year)
    subtree = Organization.objects.filter(subtree_q(root.path))
    members, electorates = _members(subtree)
    branches = list(
        subtree.filter(kind__in=BRANCH_KINDS, pk__in=[*profiles, *([lively.pk] if lively else [])])
        .order_by("path")
        .values_list("id", "name")
    )
    keen: list[int] = []
    if lively is not None:
        # The personas read their branch's notices (all but the one made for today, below).
        keen = list(User.objects.filter(member__organization=lively).values_list("member_id", flat=True))
    for org_id, name in branches:
        profile = LIVELY if lively is not None and org_id == lively.pk else ONLINE[profiles[org_id]]
        roll = members.get(org_id, [])
        always = keen if lively is not None and org_id == lively.pk else ()
        for month in range(1, today.month + 1):
            space.reseed(org_id, month)
            _branch_month(space, (org_id, name), roll, profile, year, month, today, always)
        space.reseed(org_id, "poll")
        rng = space.rng
        if rng.random() < profile.poll:
            month = rng.randint(1, max(1, today.month - 1))
            opened = _at(date(year, month, rng.randint(3, 18)), rng.randint(8, 12))
            space.poll(org_id, opened, electorates.get(org_id, []), rng.uniform(0.55, 0.95))
    if lively is not None:
        space.reseed(lively.pk, "pinned")
        space.notice(
            lively,
            _at(date(year, 1, 4), 9),
            "支部党员联系方式及党员活动室开放时间",
            "党员活动室每周二、周五下午开放，支部书记、组织委员联系方式见附表，有事请随时联系。",
            must_read=False,
            readers=members.get(lively.pk, []),
            in_time=0.9,
            pinned=True,
            always=keen,
        )
    # The county committee's notices down to every member of the county.
    everyone = [m for rows in members.values() for m in rows]
    by_org_share = {org_id: ONLINE[name].county_read for org_id, name in profiles.items()}
    for month, title, text in COUNTY_NOTICES:
        if month > today.month:
            continue
        sent_at = _at(date(year, month, 3), 10)
        if sent_at >= now:
            continue
        space.reseed("county", month)
        rng = space.rng
        readers = [m for m in everyone if rng.random() < by_org_share.get(m.org_id, 0.9) or m.id in keen]
        space.notice(
            root,
            sent_at,
            title,
            text,
            must_read=True,
            readers=readers,
            in_time=0.85,
            late=0.5,
            cascade=True,
            always=keen,
        )
    # One transaction: on SQLite each statement outside one commits (and syncs) by itself, which
    # made half a million reads take minutes instead of seconds.
    with transaction.atomic():
        made = space.write()
        if lively is not None:
            made["lively"] = _lively_today(lively, today)
        made["feed"] = sum(feed_services.backfill().values())
        audit.record(
            "demo.online",
            actor=SYSTEM,
            org_path=root.path,
            object_type="demo",
            object_repr="demo online space",
            detail=f"year={year} " + " ".join(f"{k}={v}" for k, v in made.items()),
        )
    return made


def _lively_today(branch: Organization, today: date) -> int:
    """What the personas' branch does today, through the services as its secretary would: a
    must-read notice most have read and the `member` persona not yet, two threads with replies,
    an open poll the secretary and the organizer have voted in. Returns the records made."""
    users = {u.username: u for u in User.objects.filter(member__organization=branch).select_related("member")}
    secretary, organizer, member = users.get("secretary"), users.get("organizer"), users.get("member")
    if secretary is None or organizer is None or member is None:
        return 0
    notice = create_notice(
        branch,
        {
            "title": f"关于参加{today.month}月支部党员大会的通知",
            "body": "<p>各位党员：</p><p>本月支部党员大会定于下周召开，学习上级文件精神，"
            "讨论支部年度工作总结。请大家阅读会议材料，准时参加。</p>",
            "must_read": True,
            "deadline": today + timedelta(days=7),
        },
        acting_user=secretary,
    )
    notice = send_notice(notice, acting_user=secretary)
    readers = Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).exclude(
        pk=member.member_id
    )
    for reader in readers.order_by("id")[: max(2, readers.count() * 2 // 3)]:
        mark_read(notice, reader)
    first = start_thread(
        branch,
        f"学习心得交流：{today.year}年度组织生活会准备",
        "<p>年底组织生活会要开展批评与自我批评，大家结合这一年的学习和工作先想一想，可以在这里先交流。</p>",
        acting_user=secretary,
    )
    reply(first, "<p>收到，我先把自己这一年的不足梳理一下。</p>", acting_user=organizer)
    reply(first, "<p>学习了。我今年外出时间多，参加组织生活少了，要在会上作检讨。</p>", acting_user=member)
    second = start_thread(
        branch,
        "建议组织一次冬季志愿服务活动",
        "<p>天气冷了，建议支部组织党员给村里的独居老人送温暖，大家看看怎么样？</p>",
        acting_user=member,
    )
    reply(second, "<p>好建议，支部委员会研究后安排。</p>", acting_user=secretary)
    candidates = list(
        Member.objects.filter(organization=branch, category=MemberCategory.FULL, status=MemberStatus.ACTIVE)
        .exclude(pk__in=[secretary.member_id, organizer.member_id, member.member_id])
        .order_by("id")
        .values_list("name", flat=True)[:4]
    )
    if len(set(candidates)) < 2:
        candidates = ["同意", "不同意"]
    poll = create_poll(
        branch,
        {
            "title": "年度优秀党员推荐",
            "description": "请从下列党员中推荐本年度优秀党员，最多选两人，匿名投票。",
            "kind": PollKind.MULTIPLE,
            "max_choices": 2,
            "anonymous": True,
            "closes_at": timezone.now() + timedelta(days=5),
        },
        candidates,
        acting_user=secretary,
    )
    open_poll(poll, acting_user=secretary)
    options = list(poll.options.order_by("position").values_list("pk", flat=True))
    for voter, chosen in ((secretary, options[:1]), (organizer, options[:2])):
        if Elector.objects.filter(poll=poll, member_id=voter.member_id).exists():
            cast_vote(poll, chosen, acting_user=voter)
    return 1 + 2 + 3 + 1
