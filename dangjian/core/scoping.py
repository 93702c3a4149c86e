"""Row-level scoping: every model's manager answers `restrict(user, action)`, the one gate.

A user's reach is a set of organization paths (from their role grants, each covering the node's
whole subtree). Each scoped model declares how a row is placed, and `restrict` turns the reach
into index range filters on it. Views and viewsets obtain their querysets only through this, in
their base classes. The declarations (class attributes on the model, read by `Scope.of`):

* `scope_path_field = "organization__path"` — the one path column that places a row;
* `scope_path_fields = ("from_org__path", "to_org__path")` — a row two organizations see (a
  transfer, a floating member): visible when either side lies in the reach. The two may sit in
  different cities, so neither subtree holds the other; the second side is reached through a
  nullable key (LEFT OUTER JOIN), so a row without it is still seen from the first. An OR across
  two joined columns is answered by no single index range: lists narrow first, restrict last;
* `scope_own_field = "member"` with `scope_own_reach = "change"` — rows with that field set are a
  member's own (criticism of one member): read only by that member and by the reach for
  `scope_own_reach`; rows without it by the usual reach. Other actions than "view" are unchanged;
* `scope_user_field = "user"` — an account's own data (its notifications): only that account
  reaches it, whatever the action and the grants; the tree is not consulted;
* `scope_unplaced_at_top = True` — rows with an empty path (placed nowhere: audit entries of
  unknown usernames, console actions) are read by whoever holds a grant on a top organization;
* `scope_private_rows = ~Q(state__in=LISTED)` with `scope_private_reach = "change"` and
  `scope_private_field = "county__path"` — rows read, for any action, only by a grant of that
  reach covering that field's organization (a weak-organization candidate: the county that
  screens, not the township); the other rows by the usual reach;
* `scope_reach = staticmethod(fn)` — `fn(user, action) -> paths` instead of
  `user.scope_paths(action)`, for an app with actions of its own (the discussion's roles).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, Self, TypeVar

from django.db import models
from django.db.models import Q

from .tree import STEPLEN, subtrees_q

_M = TypeVar("_M", bound=models.Model)
Reach = Callable[[Any, str], list[str]]


class Actor(Protocol):
    is_authenticated: bool

    def scope_paths(self, action: str) -> list[str]: ...


class SystemActor:
    """The operator at the server's console (CLI commands): reaches everything, audited as such."""

    is_authenticated = True
    pk = None

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Scope:
    """A model's scoping declarations, read once per model."""

    fields: tuple[str, ...]
    user_field: str | None = None
    own_field: str | None = None
    own_reach: str = "change"
    reach: Reach | None = None
    unplaced_at_top: bool = False
    private_rows: Q | None = None
    private_reach: str = "change"
    private_field: str | None = None

    @staticmethod
    @cache
    def of(model: type[models.Model]) -> "Scope":
        fields: tuple[str, ...] = tuple(getattr(model, "scope_path_fields", ()) or ())
        if not fields and hasattr(model, "scope_path_field"):
            fields = (model.scope_path_field,)
        user_field: str | None = getattr(model, "scope_user_field", None)
        if not fields and not user_field:
            raise TypeError(f"{model._meta.label} declares no scope_path_field(s) or scope_user_field")
        return Scope(
            fields=fields,
            user_field=user_field,
            own_field=getattr(model, "scope_own_field", None),
            own_reach=getattr(model, "scope_own_reach", "change"),
            reach=getattr(model, "scope_reach", None),
            unplaced_at_top=bool(getattr(model, "scope_unplaced_at_top", False)),
            private_rows=getattr(model, "scope_private_rows", None),
            private_reach=getattr(model, "scope_private_reach", "change"),
            private_field=getattr(model, "scope_private_field", None),
        )

    def paths(self, user: Any, action: str) -> list[str]:
        return self.reach(user, action) if self.reach else list(user.scope_paths(action))

    def within(self, paths: list[str]) -> Q:
        """Rows placed (by any of the fields) inside one of `paths`' subtrees; none when empty."""
        if not paths:
            return Q(pk__in=[])
        q = subtrees_q(paths, self.fields[0])
        for field in self.fields[1:]:
            q |= subtrees_q(paths, field)
        if self.unplaced_at_top and any(len(path) == STEPLEN for path in paths):
            q |= Q(**{self.fields[0]: ""})
        return q

    def q(self, user: Any, action: str) -> Q | None:
        """The filter for an authenticated `user`, or None when nothing is reached."""
        if self.user_field:
            return Q(**{self.user_field: user.pk})
        paths = self.paths(user, action)
        if self.private_rows is not None:
            private = self.paths(user, self.private_reach)
            field = self.private_field or self.fields[0]
            q = ~self.private_rows & self.within(paths)
            return q | (self.private_rows & subtrees_q(private, field)) if private else q
        if not (self.own_field and action == "view"):
            return self.within(paths) if paths else None
        q = Q(**{f"{self.own_field}__isnull": True}) & self.within(paths)
        q |= self.within(self.paths(user, self.own_reach))
        member = getattr(user, "member", None)
        if member is not None:
            q |= Q(**{self.own_field: member.pk})
        return q


class ScopedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        if user is SYSTEM:
            return self.all()
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        q = Scope.of(self.model).q(user, action)
        return self.none() if q is None else self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def in_scope(user: Any, obj: models.Model, action: str) -> bool:
    """True when `obj` lies inside `user`'s reach for `action` (re-read from the database)."""
    manager = type(obj)._default_manager
    return bool(manager.restrict(user, action).filter(pk=obj.pk).exists())  # type: ignore[attr-defined]
