"""Shared benchmark plumbing: Django set-up against any DATABASE_URL, timing, reporting."""

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def timed(func: Callable[[], Any], repeat: int = 7, warmup: int = 2) -> float:
    """Median wall time in milliseconds after warm-up runs (warm caches: the steady state)."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {python}, {datetime.now():%Y-%m-%d}"


def row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def timed_runs(
    func: Callable[[], Any], repeat: int = 7, warmup: int = 2, budget_s: float = 30.0, min_repeat: int = 3
) -> tuple[float, int]:
    """Like `timed`, for work that may take seconds: the first warm-up run sizes the rest so the
    measurement stays near `budget_s` (at least one warm-up and `min_repeat` timed runs).
    Returns (median ms, number of timed runs)."""
    start = time.perf_counter()
    func()
    first = time.perf_counter() - start
    per_run = max(first, 1e-6)
    runs = max(min_repeat, min(repeat, int(budget_s / per_run)))
    extra_warmup = warmup - 1 if per_run * (runs + warmup) <= budget_s else 0
    return timed(func, repeat=runs, warmup=extra_warmup), runs


def raw(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    """Run SQL on the default connection and fetch every row (the lower bound's work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


CHILD_WITH_MOST_MEMBERS = """
SELECT substr(o.path, 1, %s) AS prefix, count(*) FROM members_member m
JOIN organizations_organization o ON o.id = m.organization_id
WHERE o.path >= %s AND o.path < %s AND length(o.path) > %s
GROUP BY prefix ORDER BY count(*) DESC, prefix LIMIT 1
"""
BRANCH_WITH_MOST_MEMBERS = """
SELECT o.id FROM organizations_organization o JOIN members_member m ON m.organization_id = o.id
WHERE o.path >= %s AND o.path < %s AND o.kind = 'branch'
GROUP BY o.id, o.path ORDER BY count(*) DESC, o.path LIMIT 1
"""


def sample_orgs(branch: str = "first") -> list[tuple[str, Any]]:
    """One organization per level, walking down from the top through the child with the most
    members (a real city, county and township, not a small directly-run unit), then a branch of
    that township: the first by path (`branch="first"`, as members_bench.py) or the one with
    the most members (`branch="largest"`). Deterministic for a database."""
    from dangjian.core.tree import path_successor, subtree_q
    from dangjian.organizations.models import Organization

    org = Organization.objects.get_root_nodes().first()
    picks: list[tuple[str, Any]] = []
    for label in ("province", "city", "county", "township"):
        if org is None:
            break
        picks.append((label, org))
        length = len(org.path) + 4
        found = raw(CHILD_WITH_MOST_MEMBERS, [length, org.path, path_successor(org.path), len(org.path)])
        org = Organization.objects.filter(path=found[0][0]).first() if found else None
    if not picks:
        return picks
    township = picks[-1][1]
    if branch == "largest":
        found = raw(BRANCH_WITH_MOST_MEMBERS, [township.path, path_successor(township.path)])
        chosen = Organization.objects.filter(pk=found[0][0]).first() if found else None
    else:
        chosen = Organization.objects.filter(subtree_q(township.path), kind="branch").order_by("path").first()
    if chosen is not None:
        picks.append(("branch", chosen))
    return picks
