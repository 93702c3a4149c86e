"""The audit log's hash chain: the cost per write, the bulk path, and `audit verify` on a large log.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_audit_bench \
        uv run python bench/audit_bench.py --entries 1000000
    DANGJIAN_VAR_DIR=/tmp/audit_bench uv run python bench/audit_bench.py --entries 1000000

Use a scratch database (migrated, nothing else needed): the log is filled up to --entries with
generated entries through the chained bulk path. Prints markdown rows for docs/benchmarks.md.
"""

import argparse
import json
import os
import resource
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from _harness import machine, row, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.core import audit, chain  # noqa: E402
from dangjian.core.chain_verify import verify  # noqa: E402
from dangjian.core.models import AuditEntry  # noqa: E402
from dangjian.core.scoping import SYSTEM  # noqa: E402

COLUMNS = "id, prev_hash, hash, " + ", ".join(chain.CHAINED_FIELDS)


AT = timezone.now() - timedelta(days=365)


def values(i: int) -> dict[str, Any]:
    return {
        "at": AT + timedelta(seconds=i),
        "actor_id": 1000 + i % 500,
        "actor_name": f"user{i % 500}",
        "ip": "10.0.0.1",
        "action": "member.update",
        "object_type": "members.member",
        "object_id": str(i),
        "object_repr": "张伟",
        "org_path": "0001000100020003",
        "changes": {"phone": ["138****5678", "139****1234"], "version": [1, 2]},
        "success": True,
        "detail": "",
    }


def bulk_rate(n: int = 20_000, batch: int = 5000) -> float:
    """Entries per second of the chained bulk path (`AuditEntry.objects.bulk_create`)."""
    start = time.perf_counter()
    for first in range(0, n, batch):
        rows = [AuditEntry(**values(i)) for i in range(first, first + batch)]
        with transaction.atomic():
            AuditEntry.objects.bulk_create(rows, batch_size=1000)
    return n / (time.perf_counter() - start)


def fill(target: int, batch: int = 10_000) -> None:
    """Up to `target` entries, chained, through plain INSERTs (only the log's contents matter)."""
    have = AuditEntry.objects.count()
    insert = (
        f"INSERT INTO core_auditentry (prev_hash, hash, {', '.join(chain.CHAINED_FIELDS)})"
        f" VALUES ({', '.join(['%s'] * (len(chain.CHAINED_FIELDS) + 2))})"
    )
    while have < target:
        n = min(batch, target - have)
        with transaction.atomic(), connection.cursor() as cursor:
            prev, rows, secret = chain.head("default"), [], chain.key()
            for i in range(have, have + n):
                entry = values(i)
                digest = chain.link(prev, entry, secret)
                entry["changes"] = json.dumps(entry["changes"])
                rows.append([prev, digest, *entry.values()])
                prev = digest
            cursor.executemany(insert, rows)
        have += n


@contextmanager
def chain_off() -> Iterator[None]:
    """The same writes with the chain's work removed (no head lookup, no HMAC): the baseline."""
    head, link = chain.head, chain.link
    chain.head = lambda using: chain.GENESIS  # type: ignore[assignment]
    chain.link = lambda prev, values: ""  # type: ignore[assignment]
    try:
        yield
    finally:
        chain.head, chain.link = head, link


def per_write(n: int) -> tuple[float, float]:
    """Mean ms of one audited write in its own transaction (as a service write): wall time, and
    this process's CPU time (the HMAC and the client's side of the queries; steadier under load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        with transaction.atomic():
            audit.record("bench.write", actor=SYSTEM, org_path="0001", changes={"i": [i, i + 1]})
    return (time.perf_counter() - wall) * 1000 / n, (time.process_time() - cpu) * 1000 / n


def write_costs(n: int, rounds: int = 5) -> tuple[tuple[float, float], tuple[float, float]]:
    """(chained, unchained) per-write costs, alternating rounds so that a change of the machine's
    load hits both alike; the medians of the rounds."""
    chained, plain = [], []
    for _ in range(rounds):
        chained.append(per_write(n // rounds))
        with chain_off():
            plain.append(per_write(n // rounds))

    def med(samples: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)

    return med(chained), med(plain)


def raw_select(batch: int = 5000) -> float:
    """Seconds to read every row's chained columns in the same keyset batches: the lower bound."""
    start, last = time.perf_counter(), 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT {COLUMNS} FROM core_auditentry WHERE id > %s ORDER BY id LIMIT %s", [last, batch]
            )
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
    return time.perf_counter() - start


def cleanup(filled: int) -> None:
    """Drop the bench's own writes (a scratch database: the owner switches the trigger off)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [filled])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_change")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--writes-only", action="store_true", help="skip the verify measurement")
    opts = parser.parse_args()
    print(f"{machine()}, {connection.vendor}, load {os.getloadavg()[0]:.1f}")
    fill(opts.entries)
    total = AuditEntry.objects.count()
    filled = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if not opts.writes_only:
        raw_s = raw_select()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        report = verify()
        verify_s = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert report.ok, report.problem
        print(
            row(
                f"audit verify, {total:,} entries",
                f"{verify_s:.1f} s",
                f"raw SELECT {raw_s:.1f} s",
                f"{report.checked / verify_s:,.0f} entries/s",
                f"peak RSS +{(rss_after - rss_before) / 1024:.0f} MiB",
                f"load {os.getloadavg()[0]:.1f}",
            )
        )
    rate = bulk_rate()
    print(row("bulk path (bulk_create, chained)", f"{rate:,.0f} entries/s"))
    per_write(50)  # warm-up
    # The unchained rounds leave unchained entries: cleanup() removes everything written here.
    (wall, cpu), (base_wall, base_cpu) = write_costs(opts.writes)
    cleanup(filled)
    print(
        row(
            "one audited write, own transaction (wall / client CPU)",
            f"{wall:.3f} / {cpu:.3f} ms",
            f"without chain {base_wall:.3f} / {base_cpu:.3f} ms",
            f"overhead {wall - base_wall:+.3f} / {cpu - base_cpu:+.3f} ms",
            f"load {os.getloadavg()[0]:.1f}",
        )
    )


if __name__ == "__main__":
    main()
