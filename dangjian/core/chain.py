"""Tamper evidence for the audit log: each entry is linked to the one before it by an HMAC.

`hash = HMAC-SHA256(AUDIT_CHAIN_KEY, prev_hash ‖ canonical(entry))`, in id order. An HMAC and not
a bare SHA-256 because the threat is whoever can write the table without being the application:
the database owner or a DBA (who can disable the triggers), or an SQL injection through the
application's own role (which may INSERT). With a bare hash they could recompute every link after
the row they changed, or append a forged entry with a valid link; the HMAC key lives with the
application's other keys (environment or `var/`), never in the database or its backups.

Appends are serialized so the chain never forks: on PostgreSQL `core_auditentry_chain_head()`
(migration 0003) takes a transaction-scoped advisory lock and then reads the last hash, in one
round trip; on SQLite every write transaction already holds the database's write lock
(`BEGIN IMMEDIATE`). The lock is held until the writer's transaction commits, so the next writer
reads a head that is committed. Services write their entries together at their end
(`audit.deferred`), so that this lock is the last one they take: never held while waiting for a
row another writer holds. This relies on READ COMMITTED (Django's default on PostgreSQL):
a REPEATABLE READ snapshot taken before the lock would miss the previous writer's row.
"""

import hashlib
import hmac
import ipaddress
import json
from base64 import b64decode
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

GENESIS = "0" * 64
# The fields an entry's hash covers, in this order. Changing them or `canonical` makes every
# existing link unverifiable (migration 0003 chains old rows with them too): add a version
# first. `id` is not among them (it is assigned by the INSERT, after the hash is computed); the
# links fix the order instead.
CHAINED_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "org_path",
    "changes",
    "success",
    "detail",
)
# pg_advisory_xact_lock key of the chain (first 8 bytes of sha256("dangjian audit chain"), signed).
LOCK_KEY = 943280802767818777


@cache
def _key(raw: str) -> bytes:
    try:
        key = b64decode(raw, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be base64.") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be at least 32 bytes (base64).")
    return key


def _json_value(value: Any) -> Any:
    """What a JSON column gives back: PostgreSQL's jsonb returns 1e20 as an integer and keys as
    strings, so integral floats become ints and keys strings before hashing."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@lru_cache(maxsize=4096)
def _ip(value: str | None) -> str | None:
    return str(ipaddress.ip_address(value)) if value else None


def canonical(values: dict[str, Any]) -> bytes:
    """One byte string for an entry's chained fields, identical before the INSERT and after
    reading the row back on either database."""
    items = [
        _at(values["at"]),
        values["actor_id"],
        values["actor_name"],
        _ip(values["ip"]),
        values["action"],
        values["object_type"],
        values["object_id"],
        values["object_repr"],
        values["org_path"],
        _json_value(values["changes"]),
        bool(values["success"]),
        values["detail"],
    ]
    return json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def key() -> bytes:
    return _key(settings.AUDIT_CHAIN_KEY)


def link(prev_hash: str, values: dict[str, Any], secret: bytes | None = None) -> str:
    """This entry's hash; `secret` saves the settings lookup in a loop over many entries."""
    mac = hmac.new(secret or key(), prev_hash.encode() + b"\n", hashlib.sha256)
    mac.update(canonical(values))
    return mac.hexdigest()


def head(using: str) -> str:
    """Lock the chain for the rest of the current transaction and return its last hash. Call it
    inside `transaction.atomic(using=using)`."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT core_auditentry_chain_head()")
        else:  # SQLite: the open write transaction is the lock
            cursor.execute("SELECT hash FROM core_auditentry ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0] if row else None) or GENESIS


def chain(prev_hash: str, entries: Iterable[Any]) -> str:
    """Set `prev_hash` and `hash` on unsaved entries, in order; the last hash."""
    for entry in entries:
        entry.prev_hash = prev_hash
        entry.hash = prev_hash = link(prev_hash, {f: getattr(entry, f) for f in CHAINED_FIELDS})
    return prev_hash
