"""Row-level scoping: every model's manager answers `restrict(user, action)`.

A user's reach is a set of organization paths (from their role grants, each covering the node's
whole subtree). Each scoped model names the path column that places a row in the tree, and
`restrict` turns the reach into index range filters on it. Views and viewsets obtain their
querysets only through this, in their base classes.
"""

from typing import Any, Protocol, TypeVar

from django.db import models

from .tree import subtrees_q

_M = TypeVar("_M", bound=models.Model)


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


class ScopedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> "ScopedQuerySet[_M]":
        if user is SYSTEM:
            return self.all()
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(action)
        if not paths:
            return self.none()
        field: str = self.model.scope_path_field  # type: ignore[attr-defined]
        return self.filter(subtrees_q(paths, field))


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def in_scope(user: Any, obj: models.Model, action: str) -> bool:
    """True when `obj` lies inside `user`'s reach for `action` (re-read from the database)."""
    manager = type(obj)._default_manager
    return bool(manager.restrict(user, action).filter(pk=obj.pk).exists())  # type: ignore[attr-defined]
