"""The shape every write takes: atomic, scope-checked, audited — and audited when refused.

`@write_service("member.update")` wraps a service function. It runs the body in a transaction;
when the body refuses (ValidationError, OutOfScope) the transaction is rolled back and a failure
entry is written afterwards, outside it, so refused attempts are on record too.
"""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit
from .exceptions import OutOfScope
from .scoping import in_scope

P = ParamSpec("P")
R = TypeVar("R")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    return exc.__class__.__name__


def _target(args: tuple[Any, ...], kwargs: dict[str, Any]) -> models.Model | None:
    """The object a refused write was aimed at: the first saved model instance among the
    arguments (services take their target first), other than the acting user."""
    candidates = [*args, *(v for k, v in kwargs.items() if k != "acting_user")]
    for value in candidates:
        if isinstance(value, models.Model) and value.pk is not None:
            return value
    return None


def write_service(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                with transaction.atomic(), audit.deferred():
                    return func(*args, **kwargs)
            except (ValidationError, OutOfScope) as exc:
                # The entry is placed at the target's organization (so that subtree's auditor
                # sees the refused attempt), or at the actor's when there is no target.
                audit.record(
                    action,
                    actor=kwargs.get("acting_user"),
                    obj=_target(args, kwargs),
                    success=False,
                    detail=_message(exc),
                )
                raise

        return wrapper

    return decorate


def require_scope(user: Any, obj: models.Model, action: str) -> None:
    """Raise OutOfScope unless `obj`, as now stored, is within the user's reach (NetBox's
    save-then-verify: also catches a write that moved the row out of scope)."""
    if not in_scope(user, obj, action):
        raise OutOfScope(f"{obj._meta.label} {obj.pk}")


def account_of(acting_user: Any) -> Any:
    """The account to store in a `…_by` column: the acting user, or None for the console's
    SYSTEM actor, which has no row."""
    return acting_user if getattr(acting_user, "pk", None) else None
