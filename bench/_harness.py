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
