"""Roster import at scale: a million-row CSV through `dangjian import members`, against raw COPY.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_import
    export DANGJIAN_VAR_DIR=/work/bench_var/dj_import
    createdb -h 127.0.0.1 -U postgres dj_import && uv run dangjian migrate
    uv run python bench/import_bench.py --rows 1000000 > /tmp/import_bench.md

Steps (each timed on its own; the database keeps the imported members at the end):

1. `--setup`: a county (code BENCH) with 40 townships of 25 branches each, unless present.
2. The CSV (UTF-8 with BOM, the 12 columns of the import template, branch by code): realistic
   members — valid ID numbers over 100 Hunan region codes, birth 1940–2003, joined at 18–60,
   a tenth probationary, phone numbers for nine in ten. Made once, reused (deterministic).
3. The CLI import end to end in a subprocess under `/usr/bin/time -v`: read, validate, seal,
   blind-index, insert, report. Wall time and peak resident memory of the whole process.
4. The same command again: every row "unchanged" (the idempotent re-import).
5. The lower bound: the same rows pre-sealed (untimed) and sent by raw `COPY … FROM STDIN`
   into the emptied county, timed alone.
"""

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from _harness import ROOT, machine, row, setup_django

CODE = "BENCH"
TOWNSHIPS, BRANCHES = 40, 25
HEADERS = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "人员类别", "入党时间", "转正时间",
           "联系电话", "工作岗位", "所在党支部编码"]  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌辉鹏飞婷雪琳宇浩然子轩思远欣怡梓涵"
EDUCATION = ["研究生", "大学本科", "大学本科", "大学专科", "大学专科", "高中及中专", "初中及以下"]
JOBS = ["农民", "教师", "医生", "公务员", "工人", "退休", "个体经营", "村干部", "社区工作者", "企业职工"]
REGIONS = [f"43{c:02d}{d:02d}" for c in range(1, 14) for d in range(2, 10)][:100]


def setup_tree() -> None:
    from dangjian.core.scoping import SYSTEM
    from dangjian.organizations.models import Organization
    from dangjian.organizations.services import create_organization

    if Organization.objects.filter(code=CODE).exists():
        return
    root = Organization.objects.get_root_nodes().first()
    spec = {"name": "百万县委", "code": CODE, "kind": "committee", "sector": "government"}
    county = create_organization(root, spec, acting_user=SYSTEM)
    for t in range(TOWNSHIPS):
        township = create_organization(
            county,
            {"name": f"第{t + 1}镇党委", "code": f"{CODE}{t:02d}", "kind": "committee", "sector": "rural"},
            acting_user=SYSTEM,
        )
        for b in range(BRANCHES):
            create_organization(
                township,
                {
                    "name": f"第{b + 1}村党支部",
                    "code": f"{CODE}{t:02d}{b:03d}",
                    "kind": "branch",
                    "sector": "rural",
                },
                acting_user=SYSTEM,
            )


def generate_csv(path: Path, rows: int, seed: int = 20261127) -> None:
    from dangjian.core.dates import add_years
    from dangjian.core.idnumber import generate_id_number

    rng = random.Random(seed)
    seen: set[str] = set()
    today = date(2026, 11, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        written = 0
        while written < rows:
            gender = "male" if rng.random() < 0.72 else "female"
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(23000))
            number = generate_id_number(rng, birth, gender, rng.choice(REGIONS))
            if number in seen:
                continue
            seen.add(number)
            joined = birth + timedelta(days=rng.randrange(18 * 366, 60 * 365))
            joined = min(joined, today - timedelta(days=30))
            full_day = add_years(joined, 1) + timedelta(days=rng.randrange(60))
            probationary = rng.random() < 0.1 or full_day > today
            full = "" if probationary else full_day.isoformat()
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else ""
            writer.writerow(
                [
                    rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    "男" if gender == "male" else "女",
                    "汉族" if rng.random() < 0.9 else "土家族",
                    birth.isoformat(),
                    number,
                    rng.choice(EDUCATION),
                    "预备党员" if probationary else "正式党员",
                    joined.isoformat(),
                    full,
                    phone,
                    rng.choice(JOBS),
                    f"{CODE}{rng.randrange(TOWNSHIPS):02d}{rng.randrange(BRANCHES):03d}",
                ]
            )
            written += 1


def clear_county() -> int:
    from django.db import connection

    from dangjian.core.tree import path_successor
    from dangjian.organizations.models import Organization

    path = Organization.objects.get(code=CODE).path
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM members_member WHERE organization_id IN "
            "(SELECT id FROM organizations_organization WHERE path >= %s AND path < %s)",
            [path, path_successor(path)],
        )
        deleted = cursor.rowcount
        cursor.execute("VACUUM ANALYZE members_member")
    return deleted


def run_cli(path: Path, report: Path, processes: str) -> dict[str, object]:
    """Seconds, peak RSS (MiB, of the main process: the workers hold a chunk at a time) and the
    last stdout line of the CLI import, run in its own process."""
    script = str(Path(sys.executable).parent / "dangjian")
    command = [
        "/usr/bin/time",
        "-v",
        script,
        "import",
        "members",
        str(path),
        "--org",
        CODE,
        "--report",
        str(report),
    ]
    env = {**os.environ, "DANGJIAN_IMPORT_PROCESSES": processes}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 2):
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"import failed with {done.returncode}")

    def number(label: str) -> float:
        found = re.search(rf"{label}: ([0-9.]+)", done.stderr)
        return float(found[1]) if found else 0.0

    return {
        "seconds": seconds,
        "rss": number(r"Maximum resident set size \(kbytes\)") / 1024,
        "line": done.stdout.strip().splitlines()[-1],
    }


def csv_to_xlsx(source: Path, out: Path) -> None:
    """The same rows as one worksheet, every cell text (as a roster kept in Excel usually is),
    written row by row (XlsxWriter's constant-memory mode)."""
    import csv

    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for r, cells in enumerate(csv.reader(handle)):
            for c, value in enumerate(cells):
                sheet.write_string(r, c, value)
    book.close()


def presealed_copy(path: Path, out: Path) -> None:
    """The CSV's rows as COPY text, sealed and indexed as the import does (not timed)."""
    from dangjian.organizations.models import Organization
    from dangjian.roster.spool import Spool, new_sealer

    branches = dict(Organization.objects.filter(code__startswith=CODE).values_list("code", "pk"))
    from dangjian.members.validation import id_bidx, phone_bidx

    spool, sealer = Spool(), new_sealer()
    with path.open(encoding="utf-8-sig", newline="") as src:
        reader = csv.reader(src)
        next(reader)
        for r in reader:
            spool.write(
                sealer.seal(
                    {
                        "organization_id": branches[r[11]],
                        "name": r[0],
                        "gender": "male" if r[1] == "男" else "female",
                        "ethnicity": r[2],
                        "birth_date": date.fromisoformat(r[3]),
                        "id_number": r[4],
                        "id_number_bidx": id_bidx(r[4]),
                        "phone": r[9],
                        "phone_bidx": phone_bidx(r[9]) if r[9] else "",
                        "education": "bachelor",
                        "category": "probationary" if r[6] == "预备党员" else "full",
                        "status": "active",
                        "join_date": date.fromisoformat(r[7]),
                        "full_date": date.fromisoformat(r[8]) if r[8] else None,
                        "job_title": r[10],
                    }
                )
            )
    with out.open("wb") as target:
        for chunk in spool.chunks():
            target.write(chunk)
    spool.close()


def raw_copy(copy_file: Path) -> float:
    from django.db import connection, transaction

    from dangjian.roster.spool import Spool, insert_sql

    sql = insert_sql(Spool())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor, copy_file.open("rb") as source:  # noqa: SIM117
        with cursor.cursor.copy(sql) as copy:  # the COPY needs the cursor first
            while block := source.read(1 << 20):
                copy.write(block)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/work/bench_var/import"))
    parser.add_argument("--processes", default="2", help="worker processes for the CLI runs (0: none)")
    parser.add_argument("--skip-copy", action="store_true", help="no raw COPY lower bound")
    parser.add_argument("--skip-reimport", action="store_true", help="no second (unchanged) import")
    parser.add_argument("--xlsx", action="store_true", help="import the same rows as an .xlsx workbook")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from dangjian.members.models import Member

    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL (DATABASE_URL).")
    setup_tree()
    args.dir.mkdir(parents=True, exist_ok=True)
    source = args.dir / f"members_{args.rows}.csv"
    if not source.exists():
        started = time.perf_counter()
        generate_csv(source, args.rows)
        took = time.perf_counter() - started
        print(f"generated {source} ({source.stat().st_size / 2**20:.0f} MiB) in {took:.0f} s")
    if args.xlsx:
        workbook = source.with_suffix(".xlsx")
        if not workbook.exists():
            started = time.perf_counter()
            csv_to_xlsx(source, workbook)
            took = time.perf_counter() - started
            print(f"wrote {workbook} ({workbook.stat().st_size / 2**20:.0f} MiB) in {took:.0f} s")
        source = workbook
    print(f"machine: {machine()}\n")
    print(row("step", "rows", "seconds", "rows/s", "peak RSS MiB", "result"))
    print(row("---", "---", "---", "---", "---", "---"))
    report = args.dir / "report.xlsx"
    labels = ["CLI import (new)"] + ([] if args.skip_reimport else ["CLI re-import (unchanged)"])
    for label in labels:
        if label.endswith("(new)"):
            clear_county()
        r = run_cli(source, report, args.processes)
        rate = f"{args.rows / float(r['seconds']):,.0f}"  # type: ignore[arg-type]
        print(
            row(
                label,
                f"{args.rows:,}",
                f"{r['seconds']:.1f}",
                rate,
                f"{r['rss']:.0f}",
                r["line"],
            )
        )
        sys.stdout.flush()
    if not args.skip_copy:
        copy_file = args.dir / f"members_{args.rows}.copy"
        if not copy_file.exists():
            presealed_copy(source, copy_file)
        imported = Member.objects.count()
        clear_county()
        seconds = raw_copy(copy_file)
        after = Member.objects.count()
        rate = f"{args.rows / seconds:,.0f}"
        print(
            row(
                "raw COPY, pre-sealed",
                f"{args.rows:,}",
                f"{seconds:.1f}",
                rate,
                "",
                f"{after:,} members (was {imported:,})",
            )
        )


if __name__ == "__main__":
    main()
