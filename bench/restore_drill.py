"""Restore drill: dump a PostgreSQL database, restore it into a new one, prove the copy is whole.

    uv run python bench/restore_drill.py [SOURCE_URL] [--keep] [--sample N] [--jobs N]
    uv run python bench/restore_drill.py SOURCE_URL --compare-with RESTORED_URL

1. `pg_dump -Fc` of the source (the format a real backup uses), timed;
2. `pg_restore` into a NEW database `dangjian_drill_<date>_<time>` on the same server, timed;
3. verify, timed: the same tables, per-table row counts and checksums, sequences and triggers
   (the audit log's append-only triggers must come back with the data); a sample of every
   encrypted column decrypts with the configured keys and matches its blind index; the same
   sample under a wrong key is refused (a restore without the right key yields nothing readable);
4. drop the new database and the dump (unless `--keep`).

Exit status 0 only when everything matches. The source defaults to `DATABASE_URL`; the keys are
the application's settings (`FIELD_ENCRYPTION_KEYS`, `BLIND_INDEX_KEY`, or the local key files).
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A row's checksum is the first 64 bits of md5 of its text form; a table's is the count and the
# sum of its rows' (as numeric: no overflow, and independent of the physical order, so no sort of
# millions of rows). Sessions on both sides render values the same way (UTC, ISO dates).
TABLE_SUM = (
    "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0) FROM {} t"
)
SESSION = (
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; "
    "SET IntervalStyle = 'postgres'"
)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    def fail(self, line: str) -> None:
        self.problems.append(line)
        print(f"DIFFERENCE: {line}", flush=True)


def url_with_db(url: str, dbname: str) -> str:
    return make_conninfo(url, dbname=dbname)


@contextmanager
def connect(url: str, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    with psycopg.connect(url, autocommit=autocommit) as conn:
        conn.execute(SESSION)
        yield conn


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)  # noqa: S603 (our own pg_* commands)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}):\n{done.stderr.strip()}")
    return time.perf_counter() - start


# --- what is compared -----------------------------------------------------------------------


def tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [r[0] for r in rows]


def table_sums(conn: psycopg.Connection, names: list[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for name in names:
        count, total = conn.execute(sql.SQL(TABLE_SUM).format(sql.Identifier(name))).fetchone()  # type: ignore[misc]
        out[name] = (count, int(total))
    return out


def sequences(conn: psycopg.Connection) -> dict[str, int | None]:
    rows = conn.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    ).fetchall()
    return dict(rows)


def triggers(conn: psycopg.Connection) -> set[tuple[str, str]]:
    rows = conn.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
    ).fetchall()
    return set(rows)


def compare(source: str, restored: str, report: Report) -> None:
    with connect(source) as src, connect(restored) as dst:
        names = tables(src)
        if names != tables(dst):
            report.fail(f"tables differ: {sorted(set(names) ^ set(tables(dst)))}")
        common = [n for n in names if n in set(tables(dst))]
        a, b = table_sums(src, common), table_sums(dst, common)
        rows = 0
        for name in common:
            rows += a[name][0]
            if a[name] != b[name]:
                report.fail(f"{name}: {a[name][0]} rows / checksum {a[name][1]} in the source, "
                            f"{b[name][0]} / {b[name][1]} restored")
        report.say(f"compared {len(common)} tables, {rows:,} rows: counts and checksums")
        if sequences(src) != sequences(dst):
            report.fail("sequence positions differ (new rows would collide with restored ones)")
        if triggers(src) != triggers(dst):
            report.fail(f"triggers differ: {sorted(triggers(src) ^ triggers(dst))}")


def encrypted_columns() -> list[tuple[str, str, str, str | None]]:
    """(table, column, context, blind-index column or None) of every encrypted field."""
    from django.apps import apps

    from dangjian.core.fields import EncryptedTextField

    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                bidx = f"{f.name}_bidx" if f"{f.name}_bidx" in names else None
                found.append((model._meta.db_table, str(f.column), f.context, bidx))
    return found


def check_keys(restored: str, sample: int, report: Report) -> None:
    """Open a sample of every encrypted column of the restored copy with the configured keys."""
    from cryptography.exceptions import InvalidTag

    from dangjian.core.crypto import FieldCipher, blind_index, get_cipher

    cipher = get_cipher()
    opened = refused = 0
    with connect(restored) as conn:
        for table, column, context, bidx in encrypted_columns():
            picked = sql.SQL(
                "SELECT {col}, {bidx} FROM {table} WHERE {col} <> '' ORDER BY md5(id::text) LIMIT %s"
            ).format(
                col=sql.Identifier(column),
                bidx=sql.Identifier(bidx) if bidx else sql.SQL("NULL"),
                table=sql.Identifier(table),
            )
            rows = conn.execute(picked, (sample,)).fetchall()
            kids = {token.partition("$")[0] for token, _ in rows}
            # The same key ids with other key material: what a restore without the real keys has.
            wrong = FieldCipher({kid: secrets.token_bytes(32) for kid in kids}, next(iter(kids), "k"))
            for token, index in rows:
                try:
                    plain = cipher.decrypt(token, context)
                except Exception as exc:  # InvalidTag, an unknown key id: either way unreadable
                    report.fail(f"{table}.{column}: a value does not decrypt ({type(exc).__name__})")
                    continue
                if index is not None and blind_index(plain, context) != index:
                    report.fail(f"{table}.{column}: a value does not match its blind index")
                opened += 1
                try:
                    wrong.decrypt(token, context)
                    report.fail(f"{table}.{column}: a value decrypts under a wrong key")
                except InvalidTag:
                    refused += 1
    report.say(f"decrypted {opened} sampled values with the configured keys; a wrong key opened none "
               f"({refused} refused)")


# --- the drill --------------------------------------------------------------------------------


def database_size(url: str) -> int:
    with connect(url) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]


def drill(source: str, *, keep: bool, sample: int, jobs: int, report: Report) -> None:
    params = conninfo_to_dict(source)
    # A random tail: drills of several databases on one server may start in the same second.
    target = f"dangjian_drill_{datetime.now(UTC):%Y%m%d_%H%M%S}_{secrets.token_hex(3)}"
    restored = url_with_db(source, target)
    admin = url_with_db(source, "postgres")
    size = database_size(source) / 2**20
    report.say(f"source {params.get('dbname')} ({size:,.1f} MiB), restoring into {target}")
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as tmp:
        dump = Path(tmp) / "backup.dump"
        dump_s = run(["pg_dump", "-Fc", "-f", str(dump), "-d", source])
        report.say(f"dump     {dump_s:8.2f} s  ({dump.stat().st_size / 2**20:,.1f} MiB, pg_dump -Fc)")
        with connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
        try:
            restore_s = run(["pg_restore", "--exit-on-error", f"--jobs={jobs}", "-d", restored, str(dump)])
            report.say(f"restore  {restore_s:8.2f} s  (pg_restore --jobs={jobs})")
            start = time.perf_counter()
            compare(source, restored, report)
            check_keys(restored, sample, report)
            verify_s = time.perf_counter() - start
            ratio = verify_s / (dump_s + restore_s)
            report.say(f"verify   {verify_s:8.2f} s  ({ratio:.2f} × dump + restore)")
        finally:
            if keep:
                report.say(f"kept {target}")
            else:
                with connect(admin, autocommit=True) as conn:
                    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                    conn.execute(drop.format(sql.Identifier(target)))
                report.say(f"dropped {target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--compare-with", metavar="URL", help="only compare SOURCE with this restored copy")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--sample", type=int, default=200, help="encrypted values checked per column")
    parser.add_argument("--jobs", type=int, default=1, help="parallel pg_restore jobs")
    opts = parser.parse_args(argv)
    if not opts.source.startswith(("postgres://", "postgresql://")):
        parser.error("give the source as a PostgreSQL URL (or set DATABASE_URL to one)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    report = Report()
    if opts.compare_with:
        start = time.perf_counter()
        compare(opts.source, opts.compare_with, report)
        check_keys(opts.compare_with, opts.sample, report)
        report.say(f"verify   {time.perf_counter() - start:8.2f} s")
    else:
        drill(opts.source, keep=opts.keep, sample=opts.sample, jobs=opts.jobs, report=report)
    if report.problems:
        print(f"FAILED: {len(report.problems)} difference(s)", flush=True)
        return 1
    print("OK: the restored copy matches the source", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
