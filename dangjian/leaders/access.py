"""Single-object access for leaders and their works: the usual scope, plus the leader themself.

A leader's own account usually has only a member grant on their branch, below the committee the
leader record is placed at, so `restrict` alone would hide their own page from them. Anyone else
outside the scope gets 404 (existence not confirmed).
"""

from typing import Any

from django.http import Http404

from dangjian.core.scoping import in_scope

from .models import LeaderWork, LeadingCadre
from .services import is_self


def may_write(user: Any, leader: LeadingCadre) -> bool:
    """The leader themself while in post, or staff who may change the leader's record."""
    return (leader.active and is_self(user, leader)) or in_scope(user, leader, "change")


def get_leader_for_user(user: Any, pk: int, *, write: bool = False) -> LeadingCadre:
    leader = LeadingCadre.objects.select_related("committee", "member__organization").filter(pk=pk).first()
    if leader is None:
        raise Http404
    allowed = may_write(user, leader) if write else is_self(user, leader) or in_scope(user, leader, "view")
    if not allowed:
        raise Http404
    return leader


def get_work_for_user(user: Any, pk: int, *, write: bool = False) -> LeaderWork:
    work = LeaderWork.objects.select_related("leader__committee").filter(pk=pk).first()
    if work is None:
        raise Http404
    leader = work.leader
    allowed = may_write(user, leader) if write else is_self(user, leader) or in_scope(user, work, "view")
    if not allowed:
        raise Http404
    return work
