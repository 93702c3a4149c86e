"""Writing the audit log. Services call `record`; nothing else writes audit rows."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from .context import client_ip
from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, date | datetime | Decimal):
        return str(value)
    return value


def snapshot(
    instance: models.Model, fields: list[str], masked: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A JSON-safe picture of `fields`; personal fields go through their mask function."""
    masked = masked or {}
    result: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        result[name] = masked[name](value) if name in masked else _plain(value)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    org_path: str = "",
    changes: dict[str, Any] | None = None,
    success: bool = True,
    detail: str = "",
    object_type: str = "",
    object_repr: str = "",
) -> AuditEntry:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor_id=actor.pk if authenticated else None,  # None for the system actor too
        actor_name=(actor.get_username() if authenticated else str(actor or ""))[:150],
        ip=client_ip.get(),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        org_path=org_path,
        changes=changes or {},
        success=success,
        detail=detail[:2000],
    )
