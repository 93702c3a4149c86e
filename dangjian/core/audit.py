"""Writing the audit log. Services call `record`; nothing else writes audit rows.

Every entry is placed in the organization tree, so the audit administrator of that subtree reads
it: the path given by the caller, else the path of the object acted on, else the path of the
actor's home organization. Only entries with neither (a login under an unknown username, a console
action without a target) carry no path; the audit administrators of a top organization read those.

Appending to the hash chain takes the chain's lock until the transaction commits (core/chain.py).
Taken at a service's first entry, it would be held while the service goes on to lock rows — and a
transaction that locked one of those rows first and then records an entry would wait for it in
turn: a deadlock. So inside a service (`deferred`, opened by `write_service`) entries are kept and
written together when the outermost service returns, still inside its transaction: the chain's lock
is the last one a service takes.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models

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


def path_of(obj: models.Model | None) -> str:
    """The organization path that places `obj` in the tree (its model's `scope_path_field`), as
    stored; "" for an object outside the tree."""
    field = getattr(obj, "scope_path_field", None)
    if obj is None or not field:
        return ""
    if "__" not in field:
        return str(getattr(obj, field, "") or "")
    if obj.pk is not None:  # one query, whatever the depth of the relation
        # `_meta.model`, not `type(obj)`: a request's user is a lazy proxy of the model.
        value = obj._meta.model._default_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
        return str(value or "")
    target: Any = obj
    for name in field.split("__"):  # an unsaved object: follow its (saved) relations
        target = getattr(target, name, None)
        if target is None:
            return ""
    return str(target)


def _actor_path(actor: Any) -> str:
    home_id = getattr(actor, "home_org_id", None)
    if not home_id:
        return ""
    organization = actor._meta.get_field("home_org").related_model
    return str(organization._default_manager.filter(pk=home_id).values_list("path", flat=True).first() or "")


class _Pending(threading.local):
    entries: list[AuditEntry] | None = None
    # The savepoint depth of each open service: an entry recorded deeper (inside a savepoint the
    # service may roll back and carry on from) is written at once, so it goes with the savepoint.
    depths: list[int]

    def __init__(self) -> None:
        self.depths = []


_pending = _Pending()


@contextmanager
def deferred() -> Iterator[None]:
    """Keep the entries recorded inside; the outermost block writes them (chained, one lock) when
    it ends without an exception. Use inside `transaction.atomic()` (write_service does)."""
    outermost = _pending.entries is None
    if outermost:
        _pending.entries = []
    assert _pending.entries is not None
    kept = len(_pending.entries)
    _pending.depths.append(len(connection.savepoint_ids))
    entries: list[AuditEntry] = []
    try:
        yield
    except BaseException:
        del _pending.entries[kept:]  # this block's transaction or savepoint is rolled back
        raise
    finally:
        _pending.depths.pop()
        if outermost:
            entries, _pending.entries = _pending.entries, None
    if outermost and entries:
        AuditEntry.objects.bulk_create(entries)


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
    if not org_path:
        org_path = path_of(obj) or (_actor_path(actor) if authenticated else "")
    entry = AuditEntry(
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
    if _pending.entries is not None and len(connection.savepoint_ids) == _pending.depths[-1]:
        _pending.entries.append(entry)
    else:
        entry.save()
    return entry
