"""The CPU-bound part of validation — normalize, apply the rules, blind-index, seal — for a chunk
of rows, in this process or in worker processes.

A row costs ~100 µs of pure Python here (the ID number's checks, two AES-GCM seals, two HMACs,
date parsing), which for a million rows is most of the import. The work needs no database
(branches are found by the caller), so big files are spread over worker processes; the
parent keeps the reading, the database look-ups and the writing, in order. Workers are started
with `forkserver`, never plain `fork`: the parent may be a threaded Huey worker or web server,
and forking a threaded process can copy a lock held by another thread.
"""

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from dangjian.members.validation import id_bidx, phone_bidx

from .plain import Branch, Config
from .rows import RowReader
from .spool import Sealer
from .workers import check as check_in_worker

CHUNK = 2000
# Rows below which workers are not worth their start-up (~1.5 s each: Django is set up again).
PARALLEL_FROM_ROWS = 50_000
IN_FLIGHT = 4  # chunks submitted ahead per worker


# (problems, blind index, comparison key, sealed item); problems is None for a valid row.
Checked = tuple[list[str] | None, str, tuple[Any, ...], Any]


class Checker:
    def __init__(self, config: Config) -> None:
        self.reader = RowReader(config.columns, config.headers, config.today)
        self.sealer = Sealer(config.copy, config.stamp)
        self.compared = config.compared

    def check(self, number: int, cells: list[Any], branch: Branch | str) -> Checked:
        row = self.reader.read(number, cells, branch)
        if row.problems:
            return row.problems, "", (), None
        values = row.values
        assert row.branch is not None
        bidx = id_bidx(values["id_number"])
        phone = values.get("phone") or ""
        record = {
            "organization_id": row.branch.pk,
            "name": values["name"],
            "gender": values["gender"],
            "birth_date": values["birth_date"],
            "id_number": values["id_number"],
            "id_number_bidx": bidx,
            "phone": phone,
            "phone_bidx": phone_bidx(phone) if phone else "",
            "education": values.get("education") or "",
            "category": values["category"],
            "status": values["status"],
            "join_date": values["join_date"],
            "full_date": values.get("full_date"),
            "job_title": values.get("job_title") or "",
        }
        if values.get("ethnicity"):
            record["ethnicity"] = values["ethnicity"]
        # Compared as stored: a column left empty takes the model's default (民族 → 汉族).
        fixed = self.sealer.fixed
        key = tuple([record[f] if f in record else fixed[f] for f in self.compared])
        return None, bidx, key, self.sealer.seal(record)

    def check_chunk(self, chunk: list[tuple[int, list[Any], Branch | str]]) -> list[Checked]:
        return [self.check(number, cells, branch) for number, cells, branch in chunk]


def worker_count(expected_rows: int) -> int:
    """Processes for a file of about `expected_rows` rows; 0 = check in this process."""
    # A setting, or the environment for a one-off run (benchmarks compare 0, 1 and 2).
    configured = getattr(settings, "ROSTER_IMPORT_PROCESSES", None)
    if configured is None:
        configured = os.environ.get("DANGJIAN_IMPORT_PROCESSES")
    if configured not in (None, ""):
        return int(configured)
    if expected_rows < PARALLEL_FROM_ROWS:
        return 0
    return min(2, os.cpu_count() or 1)


Chunk = list[tuple[int, list[Any], Branch | str]]


def checked_chunks(
    chunks: Iterator[Chunk], config: Config, workers: int
) -> Iterator[tuple[Chunk, list[Checked]]]:
    """Each chunk with its results, in order."""
    if workers <= 0:
        checker = Checker(config)
        for chunk in chunks:
            yield chunk, checker.check_chunk(chunk)
        return
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers) as pool:
        pending: deque[tuple[Chunk, Any]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.apply_async(check_in_worker, (config, chunk))))
            if len(pending) >= workers * IN_FLIGHT:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()
