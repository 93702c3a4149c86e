"""Rows that two organizations see: a transfer (sending and receiving branch), a floating member
(home branch and managing branch).

The two organizations may sit in different counties, even different cities, so neither subtree
contains the other and one path column cannot place the row. `restrict` therefore ORs the user's
reach over two path columns: the row is visible when either organization lies inside it. The
second column is reached through a nullable foreign key (a transfer out of the platform has no
receiving branch), which Django joins with LEFT OUTER JOIN, so such rows are still seen from the
first side.

The cost is an OR across two joined columns, which no single index range answers; lists narrow
first (one organization's transfers, a state) and restrict last, as everywhere else, and these
tables are small beside the member table (a province moves a few thousand members a year).
"""

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from dangjian.core.scoping import SYSTEM, ScopedQuerySet
from dangjian.core.tree import subtrees_q

_M = TypeVar("_M", bound=models.Model)


class TwoSidedQuerySet(ScopedQuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> "TwoSidedQuerySet[_M]":
        if user is SYSTEM:
            return self.all()
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(action)
        if not paths:
            return self.none()
        sides: tuple[str, ...] = self.model.scope_path_fields  # type: ignore[attr-defined]
        q = Q()
        for field in sides:
            q |= subtrees_q(paths, field)
        return self.filter(q)
