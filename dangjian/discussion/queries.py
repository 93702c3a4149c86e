"""Reads of the discussion: what a user sees of a branch's threads and posts.

Members see published threads and posts that are not hidden, plus their own held ones (marked
"awaiting review"); moderators (secretary, organizer) see everything, marked; committee staff
and supervisors above read what members read.
"""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from . import access
from .models import Post, PostState, Report, ReportState, Thread, ThreadState

PAGE = 20


def small_int(value: Any) -> int | None:
    """A positive id from user input, or None (a 20-digit number would overflow the database)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 18 else None


def visible_threads(user: Any, org: Any) -> QuerySet[Thread]:
    rows = Thread.objects.filter(organization=org)
    if access.can(user, org.path, "change"):
        return rows  # type: ignore[no-any-return]
    published = Q(hidden=False, state__in=[ThreadState.OPEN, ThreadState.CLOSED])
    own_held = Q(hidden=False, state=ThreadState.HELD, author=getattr(user, "pk", None))
    return rows.filter(published | own_held)  # type: ignore[no-any-return]


def visible_posts(user: Any, thread: Thread) -> QuerySet[Post]:
    rows = Post.objects.filter(thread=thread)
    if access.can(user, thread.organization.path, "change"):
        return rows  # type: ignore[no-any-return]
    own = Q(state__in=[PostState.HELD, PostState.REJECTED], author=getattr(user, "pk", None))
    return rows.filter(Q(hidden=False) & (Q(state=PostState.PUBLISHED) | own))  # type: ignore[no-any-return]


def thread_for(user: Any, pk: int) -> Thread | None:
    """The thread if `user` may read it (scope and visibility), else None (a 404)."""
    thread = Thread.objects.restrict(user, "view").select_related("organization").filter(pk=pk).first()
    if thread is None or not visible_threads(user, thread.organization).filter(pk=pk).exists():
        return None
    return thread  # type: ignore[no-any-return]


def post_for(user: Any, pk: int) -> Post | None:
    post = Post.objects.restrict(user, "view").select_related("organization", "thread").filter(pk=pk).first()
    if post is None or thread_for(user, post.thread_id) is None:
        return None
    if not visible_posts(user, post.thread).filter(pk=pk).exists():
        return None
    return post  # type: ignore[no-any-return]


def cursor_of(thread: Thread) -> str:
    return f"{thread.last_activity_at.isoformat()}_{thread.pk}"


def thread_page(user: Any, org: Any, before: str | None) -> tuple[list[Thread], list[Thread], str | None]:
    """Pinned threads (first page only), then a page of the others, liveliest first, by keyset
    (last activity, id): the database stops after one page however long the history."""
    rows = visible_threads(user, org)
    pinned: list[Thread] = []
    others = rows.filter(pinned=False)
    key = _parse_cursor(before)
    if key is None:
        pinned = list(rows.filter(pinned=True).order_by("-last_activity_at", "-id")[:PAGE])
    else:
        at, pk = key
        others = others.filter(Q(last_activity_at__lt=at) | Q(last_activity_at=at, id__lt=pk))
    page = list(others.order_by("-last_activity_at", "-id")[: PAGE + 1])
    more = cursor_of(page[PAGE - 1]) if len(page) > PAGE else None
    return pinned, page[:PAGE], more


def _parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    if not value or "_" not in value:
        return None
    stamp, _sep, pk = value.rpartition("_")
    at = parse_datetime(stamp)
    number = small_int(pk)
    if at is None or number is None:
        return None
    return at, number


def post_page(user: Any, thread: Thread, after: str | None) -> tuple[list[Post], int | None]:
    """A page of the thread's posts in order, by keyset on id."""
    rows = visible_posts(user, thread).prefetch_related("images")
    start = small_int(after)
    if start is not None:
        rows = rows.filter(id__gt=start)
    page = list(rows.order_by("id")[: PAGE + 1])
    return page[:PAGE], (page[PAGE - 1].pk if len(page) > PAGE else None)


def open_reports(org: Any) -> QuerySet[Report]:
    return Report.objects.filter(organization=org, state=ReportState.OPEN).select_related(  # type: ignore[no-any-return]
        "post", "post__thread", "reporter__member"
    )


def held_posts(org: Any) -> QuerySet[Post]:
    return Post.objects.filter(organization=org, state=PostState.HELD).select_related("thread")  # type: ignore[no-any-return]


LATEST = 3


def latest_threads(user: Any, org: Any) -> list[Thread]:
    """The branch space's 讨论 section: pinned first, then the liveliest."""
    if not access.can(user, org.path, "view"):
        return []
    return list(visible_threads(user, org).order_by("-pinned", "-last_activity_at", "-id")[:LATEST])
