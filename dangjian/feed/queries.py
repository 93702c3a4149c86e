"""Who reads which feed, and one page of it, newest first, by keyset.

The feed of an organization is its own items and the cascaded notices of the committees above it
("what the committees sent down"). A user reads the feed of every organization within their
`view` reach, and of the branch their own member record belongs to; any other organization
answers 404. One page costs one query (the cover photo is a subquery), however many items there
are.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from dangjian.core.params import is_int
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import ON_ROLL_STATUSES
from dangjian.organizations.models import Organization
from dangjian.organizations.queries import own_or_sent_down_q

from .models import FeedItem, FeedPhoto

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def reach(user: Any) -> list[str]:
    """The organization paths whose subtrees the user reads feeds of."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    paths = list(user.scope_paths("view"))
    member = getattr(user, "member", None)
    if member is not None and member.status in ON_ROLL_STATUSES:  # not after leaving the roll
        paths.append(member.organization.path)
    return paths


def can_read(user: Any, org: Organization) -> bool:
    if user is SYSTEM:
        return True
    return any(org.path.startswith(p) for p in reach(user))


def organization_for(user: Any, pk: Any) -> Organization | None:
    """The organization whose feed is asked for, if the user may read it (else None: a 404)."""
    if not is_int(str(pk)):
        return None
    org = Organization.objects.filter(pk=int(pk)).first()
    return org if org is not None and can_read(user, org) else None


def can_view_item(user: Any, item: FeedItem) -> bool:
    """An item of an organization within reach, or a cascaded notice of a committee above it."""
    path = item.organization.path
    return any(path.startswith(p) or (item.cascade and p.startswith(path)) for p in reach(user))


def can_change_item(user: Any, item: FeedItem) -> bool:
    if user is SYSTEM:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return any(item.organization.path.startswith(p) for p in user.scope_paths("change"))


def feed_q(org: Organization) -> Q:
    return Q(hidden=False) & own_or_sent_down_q(org)


def encode_cursor(item: FeedItem) -> str:
    micros = (item.occurred_at - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{item.pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (occurred_at, id) a cursor stands for; a clear refusal for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, pk = raw.split(".")
        # Digits only, bounded: an id past a 64-bit column would fail in the database instead.
        if len(cursor) > 64 or not (is_int(micros.removeprefix("-")) and is_int(pk)):
            raise ValueError(cursor)
        return _EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
        raise ValidationError(
            _("This position in the feed is not valid; start again from the newest."), code="cursor"
        ) from exc


@dataclass
class Page:
    items: list[FeedItem]
    next_cursor: str | None


def items(org: Organization) -> QuerySet[FeedItem]:
    cover = FeedPhoto.objects.filter(item=OuterRef("pk")).order_by("pk").values("pk")[:1]
    photos = (
        FeedPhoto.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        FeedItem.objects.filter(feed_q(org))
        .select_related("organization")
        # Subqueries rather than a join and GROUP BY, so that only the page's rows are counted.
        .annotate(photo_count=Coalesce(Subquery(photos), 0), cover_id=Subquery(cover))
        .order_by("-occurred_at", "-id")
    )


def page(org: Organization, before: str | None = None, size: int = PAGE_SIZE) -> Page:
    rows = items(org)
    if before:
        at, pk = decode_cursor(before)
        rows = rows.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    size = max(1, min(size, MAX_PAGE_SIZE))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    return Page(found, encode_cursor(found[-1]) if more and found else None)
