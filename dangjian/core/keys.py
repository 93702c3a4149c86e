"""Checking and rotating the field encryption keys over everything they protect.

What they protect is found through the app registry, never from a list: every
`EncryptedTextField` (ID numbers, phones, TOTP secrets, floating members' contacts, import
previews…) and every `SealedFileField` (uploaded rosters, import reports). A model that adds one
is covered without being named here.

Values are read raw (`SELECT pk, column`), so one value that does not open is counted and named
instead of aborting the run, and rotation rewrites only the column (no `save()`: the rows'
`version` and `updated_at` are not the user's edits). Rotation takes rows by pk ranges, a
transaction per batch, and only those whose key id is not the active key's: a run that is
killed leaves whole batches done, and a rerun continues where it stopped. Each UPDATE repeats the
old ciphertext in its WHERE clause, so a value edited meanwhile (already under the new key) is
left as the edit wrote it. Blind indexes (`BLIND_INDEX_KEY`) are not rotated here.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from . import audit, sealed
from .crypto import get_cipher
from .fields import EncryptedTextField, SealedFileField
from .scoping import SYSTEM

BATCH = 2000


@dataclass
class Failure:
    model: str
    pk: Any
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.model} pk={self.pk} {self.field}: {self.reason}"


@dataclass
class Tally:
    """Counts of one model's field: values per key id, failures."""

    label: str
    values: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    rewritten: int = 0


@dataclass
class Report:
    tallies: list[Tally] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)  # the first ones only
    failed: int = 0
    keep: int = 20

    def fail(self, tally: Tally, failure: Failure) -> None:
        tally.failed += 1
        self.failed += 1
        if len(self.failures) < self.keep:
            self.failures.append(failure)

    def by_key(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for tally in self.tallies:
            total.update(tally.values)
        return total


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                yield model, f


def sealed_file_fields() -> Iterator[tuple[type[models.Model], SealedFileField]]:
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, SealedFileField):
                yield model, f


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    return pk.column


def _raw_batches(
    model: type[models.Model], column: str, *, skip_kid: str = ""
) -> Iterator[list[tuple[Any, str]]]:
    """(pk, stored value) of non-empty values in pk order, BATCH at a time; `skip_kid`: leave
    out the values already under that key (the database filters, so a rerun reads little)."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(_pk_column(model))
    col = connection.ops.quote_name(column)
    where = f"{pk} > %s AND {col} IS NOT NULL AND {col} <> ''"
    params: list[Any] = []
    if skip_kid:
        prefix = f"{skip_kid}$"
        where += f" AND substr({col}, 1, {len(prefix)}) <> %s"
        params.append(prefix)
    sql = f"SELECT {pk}, {col} FROM {table} WHERE {where} ORDER BY {pk} LIMIT {BATCH}"  # noqa: S608
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(sql.replace(f"{pk} > %s AND ", ""), params)
            else:
                cursor.execute(sql, [last, *params])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def check(keep: int = 20) -> Report:
    """Open every encrypted value and every sealed file; count them per model/field and key."""
    report = Report(keep=keep)
    cipher = get_cipher()
    for model, f in encrypted_fields():
        tally = Tally(f"{model._meta.label}.{f.name}")
        report.tallies.append(tally)
        for rows in _raw_batches(model, str(f.column)):
            for pk, token in rows:
                kid = cipher.key_id(token)
                try:
                    cipher.decrypt(token, f.context)
                except Exception as exc:  # a missing key, a damaged value: counted, named, go on
                    report.fail(tally, Failure(model._meta.label, pk, f.name, _reason(exc)))
                    continue
                tally.values[kid] += 1
    for model, sf, pk, name in _stored_files():
        tally = _tally_for(report, f"{model._meta.label}.{sf.name} (files)")
        try:
            tally.values[sealed.verify(_path(name), context=sf.context)] += 1
        except (sealed.SealedFileError, OSError) as exc:
            report.fail(tally, Failure(model._meta.label, pk, sf.name, _reason(exc)))
    return report


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200] if str(exc) else type(exc).__name__


def _tally_for(report: Report, label: str) -> Tally:
    for tally in report.tallies:
        if tally.label == label:
            return tally
    tally = Tally(label)
    report.tallies.append(tally)
    return tally


def _path(name: str) -> Path:
    return Path(default_storage.path(name))


def _stored_files() -> Iterator[tuple[type[models.Model], SealedFileField, Any, str]]:
    for model, f in sealed_file_fields():
        for rows in _raw_batches(model, str(f.column)):
            for pk, name in rows:
                yield model, f, pk, name


Progress = Callable[[str, int], None]


def _no_progress(label: str, count: int) -> None:
    pass


def rotate(*, progress: Progress = _no_progress) -> Report:
    """Re-encrypt every value and re-seal every file not under the active key. Resumable; one
    audit entry per model (with the count per field) per run."""
    report = Report()
    cipher = get_cipher()
    active = cipher.active
    done: dict[type[models.Model], dict[str, int]] = {}
    for model, f in encrypted_fields():
        tally = Tally(f"{model._meta.label}.{f.name}")
        report.tallies.append(tally)
        for rows in _raw_batches(model, str(f.column), skip_kid=active):
            updates = []
            for pk, token in rows:
                try:
                    updates.append((cipher.encrypt(cipher.decrypt(token, f.context), f.context), pk, token))
                except Exception as exc:
                    report.fail(tally, Failure(model._meta.label, pk, f.name, _reason(exc)))
            _write(model, str(f.column), updates)
            tally.rewritten += len(updates)
            tally.values[active] += len(updates)
            progress(tally.label, tally.rewritten)
        if tally.rewritten:
            done.setdefault(model, {})[f.name] = tally.rewritten
    for model, sf, pk, name in _stored_files():
        tally = _tally_for(report, f"{model._meta.label}.{sf.name} (files)")
        path = _path(name)
        try:
            kid = sealed.key_id(path)
            if kid == active:
                tally.values[active] += 1
                continue
            sealed.reseal(path, context=sf.context, plaintext=kid is None and _legacy_plain(path))
        except (sealed.SealedFileError, OSError) as exc:
            report.fail(tally, Failure(model._meta.label, pk, sf.name, _reason(exc)))
            continue
        tally.rewritten += 1
        tally.values[active] += 1
        done.setdefault(model, {})[f"{sf.name} (files)"] = tally.rewritten
    for model, counts in done.items():
        audit.record(
            "keys.rotate",
            actor=SYSTEM,
            object_type=model._meta.label_lower,
            changes={"key": active, "rewritten": counts},
            detail=f"{model._meta.label}: re-encrypted under {active}",
        )
    return report


def _legacy_plain(path: Path) -> bool:
    """A file stored before files were sealed: a workbook (zip or OLE2) or text. Anything else
    that is not a sealed file is damaged, and is reported rather than sealed as it is."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if head.startswith(b"DJSE"):
        return False  # a sealed file with a damaged header
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return True
    return b"\x00" not in head  # CSV text (UTF-8 or GB18030)


def _write(model: type[models.Model], column: str, updates: list[tuple[str, Any, str]]) -> None:
    if not updates:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(_pk_column(model))
    col = connection.ops.quote_name(column)
    sql = f"UPDATE {table} SET {col} = %s WHERE {pk} = %s AND {col} = %s"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, updates)
