"""Building a chunk's organization subtree: rows, unit name sources and `TreeBuilder`.

A builder (`county.py`, `direct.py`) describes the units each committee has below it (`Unit`: where
their names come from, which member profile, how often a general branch, joint branch or committee
with its own subtree); `TreeBuilder.fill` adds them until the committee's budget of organizations is
spent, and `TreeBuilder.size_members` then spreads the chunk's member budget over the branches.

Treebeard paths are computed here (parent path + 4-character base-36 `helpers.step`, 1-based like
`MP_Node`), with `depth` and `numchild` filled in, so rows can be bulk-inserted.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from faker import Faker

from dangjian.core.dates import add_years
from dangjian.organizations.models import OrgKind, default_term_years

from . import hunan
from .helpers import Weighted, step
from .hunan import City, County, ordinal
from .profiles import PROFILES

MAX_CHILDREN_PER_CODE = 999  # child codes are the parent's code + 3 digits
BUREAU_EXTRAS = ("直属事业单位", "综合执法大队", "服务中心", "机关第二")


# --- rows ------------------------------------------------------------------------------------


@dataclass(slots=True)
class OrgRow:
    path: str
    depth: int
    name: str
    code: str
    kind: str
    sector: str
    established_on: date | None = None
    term_start: date | None = None
    term_due_end: date | None = None
    numchild: int = 0
    profile: str = ""  # member profile (branches only)
    members: int = 0  # members to generate (branches only)
    groups: int = 0  # party groups (branches with >= 15 members)


@dataclass(frozen=True)
class ChunkSpec:
    key: str
    kind: str  # "county" | "city_direct" | "province_direct"
    label: str
    parent_path: str
    parent_code: str
    parent_depth: int
    first_index: int  # path step of the chunk's first top node under its parent
    org_budget: int
    member_budget: int
    city: City | None = None
    county: County | None = None


# --- unit names ------------------------------------------------------------------------------


class NameSource:
    """Unit names: the items (with the prefix) in shuffled order; when all are used, again with the
    `extras` appended (省财政厅 → 省财政厅信息中心), then with 第二, 第三 …; `finite` stops after one
    round instead."""

    def __init__(
        self, items: Sequence[str], prefix: str = "", *, finite: bool = False, extras: Sequence[str] = ()
    ) -> None:
        self.raw = tuple(items)
        self.prefix = prefix
        self.finite = finite
        self.extras = tuple(extras)
        self.queue: list[str] = []
        self.round = 0

    def with_prefix(self, prefix: str) -> NameSource:
        """A fresh source of the same names under a unit (湖南大学 + 文学院)."""
        return NameSource(self.raw, prefix, finite=self.finite, extras=self.extras)

    def next(self, rng: random.Random) -> str | None:
        if not self.queue:
            if self.finite and self.round:
                return None
            self.round += 1
            self.queue = [self.prefix + item for item in self.raw]
            rng.shuffle(self.queue)
        item = self.queue.pop()
        extra = self.round - 2
        if extra < 0:
            return item
        if extra < len(self.extras):
            return item + self.extras[extra]
        return f"{item}第{ordinal(min(extra - len(self.extras) + 2, 99))}"


class PlaceSource(NameSource):
    """Fresh two-syllable place names with a suffix (青山村, 黎家坪镇), unique within a chunk."""

    def __init__(self, used: set[str], suffix: str, prefix: str = "") -> None:
        super().__init__([])
        self.used, self.suffix, self.prefix = used, suffix, prefix

    def with_prefix(self, prefix: str) -> NameSource:
        return self

    def next(self, rng: random.Random) -> str | None:
        for _ in range(50):
            name = rng.choice(hunan.PLACE_FIRST) + rng.choice(hunan.PLACE_SECOND)
            if name not in self.used:
                self.used.add(name)
                return f"{self.prefix}{name}{self.suffix}"
        return f"{self.prefix}{name}{len(self.used)}{self.suffix}"  # practically never


class CompanySource(NameSource):
    def __init__(self, faker: Faker, used: set[str]) -> None:
        super().__init__([])
        self.faker, self.used = faker, used

    def with_prefix(self, prefix: str) -> NameSource:
        return self

    def next(self, rng: random.Random) -> str | None:
        for _ in range(20):
            name = str(self.faker.company())
            if name not in self.used:
                self.used.add(name)
                return name
        return f"{name}{len(self.used)}"


SubName = Callable[[str, int], tuple[str, str]]  # (unit base name, 1-based index) -> (name, profile)


@dataclass
class Unit:
    """One kind of unit a committee has below it, and how it is organized."""

    source: NameSource
    weight: float
    profile: str
    general: float = 0.0  # probability it is a general branch with several branches
    general_size: tuple[int, int] = (2, 4)
    joint: float = 0.0  # probability a single branch is a joint branch (联合党支部)
    committee: float = 0.0  # probability it is a committee with its own subtree
    committee_size: tuple[int, int] = (0, 0)
    inner: list[Unit] = field(default_factory=list)  # units of that subtree
    sub_name: SubName | None = None


# --- the builder -----------------------------------------------------------------------------


class TreeBuilder:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.rows: list[OrgRow] = []

    # terms: as `default_term_years` (5 years for committees, village and community
    # organizations; 3 for other branches); mostly in term, some due soon or overdue,
    # a few with no term recorded.
    def _term(self, kind: str, sector: str) -> tuple[date | None, date | None]:
        years = default_term_years(kind, sector)
        r = self.rng.random()
        if r < 0.03:
            return None, None
        if r < 0.11:  # overdue by up to a year and a half
            age = self.rng.uniform(years, years + 1.5)
        else:
            age = self.rng.uniform(0.3 if years == 3 else 1.0, years)
        start = self.today - timedelta(days=int(age * 365.25))
        return start, add_years(start, years)

    def add(
        self,
        parent: OrgRow | None,
        name: str,
        kind: str,
        sector: str,
        *,
        profile: str = "",
        path: str = "",
        code: str = "",
        depth: int = 0,
        term: tuple[date | None, date | None] | None = None,
    ) -> OrgRow:
        if parent is not None:
            parent.numchild += 1
            if parent.numchild > MAX_CHILDREN_PER_CODE:
                raise ValueError(f"{parent.name} would have more than {MAX_CHILDREN_PER_CODE} children")
            path = parent.path + step(parent.numchild)
            code = parent.code + f"{parent.numchild:03d}"
            depth = parent.depth + 1
        start, end = term if term is not None else self._term(kind, sector)
        first_year = 1998 if profile in ("private", "social") else 1950
        latest = start or self.today
        established = date(
            self.rng.randint(first_year, max(first_year, latest.year - 1)),
            self.rng.randint(1, 12),
            self.rng.randint(1, 28),
        )
        row = OrgRow(path, depth, name, code, kind, sector, established, start, end, profile=profile)
        self.rows.append(row)
        return row

    def fill(self, parent: OrgRow, budget: int, units: list[Unit]) -> int:
        """Add units below `parent` until `budget` organizations were created; returns the count."""
        rng = self.rng
        active = [u for u in units if u.weight > 0]
        remaining = budget
        while remaining > 0 and active:
            unit = Weighted([(u, u.weight) for u in active]).pick(rng)
            base = unit.source.next(rng)
            if base is None:
                active.remove(unit)
                continue
            sector = PROFILES[unit.profile].sector
            lo, hi = unit.committee_size
            if unit.inner and remaining > lo and rng.random() < unit.committee:
                node = self.add(parent, f"{base}党委", OrgKind.COMMITTEE, sector)
                inner = [replace(u, source=u.source.with_prefix(base)) for u in unit.inner]
                remaining -= 1 + self.fill(node, min(rng.randint(lo, hi), remaining - 1), inner)
            elif remaining >= 3 and rng.random() < unit.general:
                k = min(rng.randint(*unit.general_size), remaining - 1)
                general = self.add(parent, f"{base}党总支", OrgKind.GENERAL_BRANCH, sector)
                for i in range(1, k + 1):
                    name, profile = (unit.sub_name or _ordinal_branch(unit.profile))(base, i)
                    self.add(general, name, OrgKind.BRANCH, PROFILES[profile].sector, profile=profile)
                remaining -= k + 1
            elif rng.random() < unit.joint:
                self.add(parent, f"{base}联合党支部", OrgKind.JOINT_BRANCH, sector, profile=unit.profile)
                remaining -= 1
            else:
                self.add(parent, f"{base}党支部", OrgKind.BRANCH, sector, profile=unit.profile)
                remaining -= 1
        return budget - remaining

    def size_members(self, member_budget: int) -> None:
        """Give branches member counts in proportion to their profile's typical size (varied), scaled
        to the budget; a branch has at least 3 members. Branches of 15 or more get party groups."""
        branches = [row for row in self.rows if row.profile]
        if not branches:
            return
        rng = self.rng
        raw = [
            PROFILES[b.profile].mean_size * min(2.5, max(0.35, rng.lognormvariate(0, 0.45))) for b in branches
        ]
        factor = member_budget / sum(raw)
        for branch, size in zip(branches, raw, strict=True):
            branch.members = max(3, round(size * factor))
            branch.groups = min(4, 1 + branch.members // 20) if branch.members >= 15 else 0


# --- branch names and terms ------------------------------------------------------------------


def _ordinal_branch(profile: str) -> SubName:
    return lambda base, i: (f"{base}第{ordinal(i)}党支部", profile)


def school_branch(base: str, i: int) -> tuple[str, str]:
    return (f"{base}离退休党支部", "school") if i == 1 else (f"{base}教工第{ordinal(i - 1)}党支部", "school")


def hospital_branch(base: str, i: int) -> tuple[str, str]:
    units = hunan.HOSPITAL_UNITS
    suffix = units[(i - 1) % len(units)] + ("" if i <= len(units) else ordinal(i // len(units) + 1))
    return f"{base}{suffix}党支部", "health"


def enterprise_branch(base: str, i: int) -> tuple[str, str]:
    units = hunan.ENTERPRISE_UNITS
    suffix = units[(i - 1) % len(units)] + ("" if i <= len(units) else ordinal(i // len(units) + 1))
    return f"{base}{suffix}党支部", "state"


def fixed_term(rng: random.Random, year: int, months: tuple[int, int]) -> tuple[date, date]:
    start = date(year, rng.randint(*months), rng.randint(1, 28))
    return start, add_years(start, 5)
