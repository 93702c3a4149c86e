"""Deterministic demo data shaped like Hunan: the organization tree and its members.

Pure generation, no database access: `make_plan` lays out the top of the tree (province, cities)
and a list of chunks — one per county plus the organs directly under the province and each city —
and `Plan.chunks()` builds each chunk's subtree only when asked, so memory stays bounded by the
largest chunk (a few thousand organizations), never by the province. `generate_members` then
streams a chunk's members.

Everything comes from the seed: each chunk and each chunk's members draw from their own
`random.Random(f"{seed}/{key}")`, so a chunk's content does not depend on the order the loader
asks for it, and the same seed (and reference date) always gives the same data. The reference
date `today` places terms, probationary periods and ages relative to the day of loading.

Treebeard paths are computed here (parent path + 4-character base-36 step, 1-based like
`MP_Node`), with `depth` and `numchild` filled in, so rows can be bulk-inserted.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Generic, NamedTuple, TypeVar

from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

from dangjian.core.dates import add_years
from dangjian.core.idnumber import FEMALE, MALE, generate_id_number
from dangjian.core.tree import ALPHABET, STEPLEN
from dangjian.members.models import CommitteePost, Education, MemberCategory, MemberStatus
from dangjian.organizations.models import OrgKind, Sector, default_term_years

from . import hunan
from .hunan import City, County, ordinal

T = TypeVar("T")
MAX_CHILDREN_PER_CODE = 999  # child codes are the parent's code + 3 digits


# --- scales ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    orgs: int  # target number of organizations, all levels
    members: int
    cities: tuple[str, ...] | None = None  # city codes; None: all 14
    counties: tuple[str, ...] | None = None  # county codes; None: all counties of the cities
    province_direct: bool = False  # organs directly under the province (省直, universities, SOEs)
    city_direct: bool = False  # organs directly under each city (市直)


SCALES: dict[str, Scale] = {
    # For tests: one small county.
    "tiny": Scale("tiny", 240, 2_400, ("431100",), ("431121",)),
    # 祁阳 (2015): ~1,900 organizations, ~40,000 members.
    "county": Scale("county", 1_900, 40_000, ("431100",), ("431121",)),
    # 永州: 11 counties and the city's own organs.
    "city": Scale("city", 15_000, 300_000, ("431100",), None, city_direct=True),
    # Hunan, end 2023: ~212,000 organizations, ~4.27 million members.
    "province": Scale("province", 212_000, 4_300_000, None, None, province_direct=True, city_direct=True),
}
PROVINCE_DIRECT_SHARE = (0.02, 0.04)  # (orgs, members)
CITY_DIRECT_SHARE = (0.06, 0.07)


# --- small helpers ---------------------------------------------------------------------------


class Weighted(Generic[T]):
    """Fast weighted choice: one `rng.random()` and a bisect."""

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in items]
        self.cum: list[float] = []
        total = 0.0
        for _, weight in items:
            total += weight
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cum, rng.random() * self.total)]


def step(index: int) -> str:
    """The 1-based `index`-th child's path step: 1 → '0001', 36 → '0010' (treebeard's alphabet)."""
    digits = []
    n = index
    for _ in range(STEPLEN):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    if n or index < 1:
        raise ValueError(f"step index out of range: {index}")
    return "".join(reversed(digits))


def split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder: the parts sum to `total`)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


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


class MemberRow(NamedTuple):
    org_index: int  # index into Chunk.orgs
    group_no: int  # 0-based party group of that branch, -1 for none
    name: str
    gender: str
    ethnicity: str
    birth_date: date
    id_number: str
    phone: str
    education: str
    category: str
    status: str
    join_date: date
    full_date: date | None
    job_title: str
    committee_post: str


@dataclass
class Chunk:
    key: str
    label: str
    region: str  # region part of members' ID numbers
    area_code: str
    ethnic: tuple[tuple[str, float], ...]
    orgs: list[OrgRow]  # in depth order, then path order

    @property
    def member_total(self) -> int:
        return sum(org.members for org in self.orgs)


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


# --- member profiles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    sector: str
    mean_size: float  # relative branch size
    births: Weighted[tuple[int, int]]  # birth year ranges
    male: float
    education_old: Weighted[str]  # born before 1960
    education: Weighted[str]
    jobs_old: tuple[str, ...]  # 60 and over
    jobs: tuple[str, ...]
    secretary_job: str


def _edu(*weights: float) -> Weighted[str]:
    """Education mix, weights in the order junior, secondary, associate, bachelor, postgraduate."""
    levels = (
        Education.JUNIOR,
        Education.SECONDARY,
        Education.ASSOCIATE,
        Education.BACHELOR,
        Education.POSTGRADUATE,
    )
    return Weighted([(str(level), w) for level, w in zip(levels, weights, strict=False) if w])


_EDU_RURAL_OLD = _edu(0.72, 0.24, 0.04)
_EDU_OLD = _edu(0.3, 0.4, 0.2, 0.1)
_EDU_RURAL = _edu(0.3, 0.38, 0.22, 0.1)
_EDU_MIXED = _edu(0.1, 0.25, 0.3, 0.32, 0.03)
_EDU_CADRE = _edu(0, 0.03, 0.17, 0.66, 0.14)
_EDU_UNI = _edu(0, 0, 0, 0.45, 0.55)
_RETIRED = ("退休干部", "退休职工", "退休教师")


def _years(*ranges: tuple[float, int, int]) -> Weighted[tuple[int, int]]:
    return Weighted([((lo, hi), w) for w, lo, hi in ranges])


PROFILES: dict[str, Profile] = {
    "rural": Profile(
        Sector.RURAL,
        40,
        _years((0.42, 1930, 1960), (0.36, 1960, 1980), (0.22, 1980, 2005)),
        0.8,
        _EDU_RURAL_OLD,
        _EDU_RURAL,
        ("农民", "农民", "农民", "退休教师", "退休干部", "退伍军人"),
        (
            "农民",
            "农民",
            "种植大户",
            "养殖户",
            "外出务工人员",
            "个体工商户",
            "村民小组长",
            "乡村医生",
            "退伍军人",
            "村“两委”委员",
        ),
        "村党组织书记、村委会主任",
    ),
    "community": Profile(
        Sector.COMMUNITY,
        30,
        _years((0.48, 1935, 1962), (0.32, 1962, 1985), (0.2, 1985, 2005)),
        0.64,
        _EDU_OLD,
        _EDU_MIXED,
        (*_RETIRED, "居民"),
        ("社区工作者", "网格员", "个体经营者", "企业职工", "自由职业者", "物业管理人员", "居民"),
        "社区党组织书记、居委会主任",
    ),
    "government": Profile(
        Sector.GOVERNMENT,
        14,
        _years((0.06, 1952, 1966), (0.94, 1966, 2002)),
        0.73,
        _EDU_OLD,
        _EDU_CADRE,
        _RETIRED,
        (
            "科员",
            "一级科员",
            "四级主任科员",
            "二级主任科员",
            "副科长",
            "科长",
            "副局长",
            "干部",
            "辅警",
            "工作人员",
        ),
        "机关党支部书记、副局长",
    ),
    "school": Profile(
        Sector.PUBLIC_INSTITUTION,
        16,
        _years((0.12, 1946, 1966), (0.88, 1966, 2003)),
        0.48,
        _EDU_OLD,
        _EDU_CADRE,
        ("退休教师",),
        ("教师", "教师", "教师", "班主任", "教研组长", "教导主任", "后勤人员"),
        "校长",
    ),
    "health": Profile(
        Sector.PUBLIC_INSTITUTION,
        20,
        _years((0.1, 1946, 1966), (0.9, 1966, 2003)),
        0.42,
        _EDU_OLD,
        _EDU_CADRE,
        ("退休医生", "退休职工"),
        ("医师", "主治医师", "副主任医师", "护士", "护师", "药师", "检验技师", "行政人员"),
        "院长",
    ),
    "state": Profile(
        Sector.STATE_ENTERPRISE,
        20,
        _years((0.15, 1946, 1966), (0.85, 1966, 2003)),
        0.76,
        _EDU_OLD,
        _EDU_MIXED,
        ("退休职工",),
        ("职工", "技术员", "工程师", "高级工程师", "班组长", "会计", "经理", "业务员", "驾驶员"),
        "党支部书记、副总经理",
    ),
    "private": Profile(
        Sector.PRIVATE_ENTERPRISE,
        6,
        _years(
            (1.0, 1966, 2004),
        ),
        0.72,
        _EDU_OLD,
        _EDU_MIXED,
        ("职工",),
        ("职工", "技术员", "销售", "会计", "车间主任", "部门经理", "总经理"),
        "党支部书记、副总经理",
    ),
    "social": Profile(
        Sector.SOCIAL_ORGANIZATION,
        5,
        _years((0.3, 1950, 1966), (0.7, 1966, 2003)),
        0.6,
        _EDU_OLD,
        _EDU_MIXED,
        ("退休干部", "会员"),
        ("会员", "律师", "会计师", "秘书长", "社会工作者", "志愿者"),
        "秘书长",
    ),
    "uni_staff": Profile(
        Sector.UNIVERSITY,
        24,
        _years((0.15, 1946, 1965), (0.85, 1965, 1998)),
        0.56,
        _EDU_CADRE,
        _EDU_UNI,
        ("退休教师", "退休职工"),
        ("教授", "副教授", "讲师", "辅导员", "研究员", "实验员", "行政人员"),
        "教授",
    ),
    "uni_student": Profile(
        Sector.UNIVERSITY,
        34,
        _years((0.25, 1996, 2001), (0.75, 2001, 2005)),
        0.48,
        _EDU_UNI,
        _EDU_UNI,
        ("学生",),
        ("本科生", "本科生", "硕士研究生", "博士研究生"),
        "辅导员",
    ),
}
_LAST_NAMES = Weighted(list(PersonProvider.last_names.items()))
_FIRST = {
    MALE: tuple(PersonProvider.first_names_male),
    FEMALE: tuple(PersonProvider.first_names_female),
}
_FIRST_SINGLE = {g: tuple(n for n in names if len(n) == 1) for g, names in _FIRST.items()}


# --- tree building ---------------------------------------------------------------------------


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


def _ordinal_branch(profile: str) -> SubName:
    return lambda base, i: (f"{base}第{ordinal(i)}党支部", profile)


def _college_branch(base: str, i: int) -> tuple[str, str]:
    if i == 1:
        return f"{base}教工党支部", "uni_staff"
    kind = "本科生" if i % 3 else "研究生"
    return f"{base}{kind}第{ordinal(i // 2 + 1)}党支部", "uni_student"


def _school_branch(base: str, i: int) -> tuple[str, str]:
    return (f"{base}离退休党支部", "school") if i == 1 else (f"{base}教工第{ordinal(i - 1)}党支部", "school")


def _fixed_term(rng: random.Random, year: int, months: tuple[int, int]) -> tuple[date, date]:
    start = date(year, rng.randint(*months), rng.randint(1, 28))
    return start, add_years(start, 5)


# --- chunks ----------------------------------------------------------------------------------


def _build_county(b: TreeBuilder, spec: ChunkSpec, faker: Faker) -> None:
    assert spec.county is not None and spec.city is not None
    rng, county, places = b.rng, spec.county, set[str]()
    top = b.add(
        None,
        f"{county.name}委",
        OrgKind.COMMITTEE,
        Sector.GOVERNMENT,
        path=spec.parent_path + step(spec.first_index),
        code=county.code,
        depth=spec.parent_depth + 1,
        term=_fixed_term(rng, 2021, (6, 9)),
    )
    budget = spec.org_budget - 1
    name = county.name
    # Other grassroots committees of the county: (name, kind, profile, share, minimum county size).
    others = [
        (f"{name}直属机关工委", OrgKind.WORKING_COMMITTEE, "government", 0.12, 0),
        (f"{name}教育局党委", OrgKind.COMMITTEE, "school", 0.10, 0),
        (f"{name}卫生健康局党委", OrgKind.COMMITTEE, "health", 0.04, 600),
        (f"{name}非公有制经济组织党委", OrgKind.COMMITTEE, "private", 0.05, 600),
        (f"{name}国有资产事务中心党委", OrgKind.COMMITTEE, "state", 0.03, 900),
        (f"{name}社会组织党委", OrgKind.COMMITTEE, "social", 0.02, 900),
        (f"{name}公安局党委", OrgKind.COMMITTEE, "government", 0.02, 1200),
    ]
    others = [o for o in others if budget >= o[4]]
    n_town = max(2, min(40, round(budget / 118)))
    street_share = 0.6 if name.endswith("区") else 0.25 if name.endswith("市") else 0.15
    n_street = max(1, round(n_town * street_share))
    towns: list[tuple[str, bool]] = []  # (name, is street)
    for i in range(n_town):
        street = i < n_street
        suffix = "街道" if street else rng.choice(("镇", "镇", "乡"))
        towns.append((str(PlaceSource(places, suffix).next(rng)), street))
    shares = [0.62 * (0.8 if street else 1.0) * rng.uniform(0.7, 1.3) for _, street in towns]
    shares = [s * 0.62 / sum(shares) for s in shares] + [o[3] for o in others]
    parts = split(budget - len(towns) - len(others), shares)

    for (town, street), part in zip(towns, parts, strict=False):
        kind = OrgKind.WORKING_COMMITTEE if street else OrgKind.COMMITTEE
        node = b.add(
            top, f"{town}党{'工委' if street else '委'}", kind, Sector.COMMUNITY if street else Sector.RURAL
        )
        b.fill(node, part, _town_units(town, street, places, faker))
    for (label, kind, profile, _share, _min), part in zip(others, parts[len(towns) :], strict=True):
        node = b.add(top, label, kind, PROFILES[profile].sector)
        b.fill(node, part, _county_units(name, profile, places, faker))


def _town_units(town: str, street: bool, places: set[str], faker: Faker) -> list[Unit]:
    stations = (
        "机关",
        "农业综合服务中心",
        "财政所",
        "司法所",
        "派出所",
        "自然资源所",
        "林业站",
        "水利站",
        "社会事务综合服务中心",
        "退役军人服务站",
        "综合文化站",
        "市场监管所",
        "供电所",
        "敬老院",
    )
    street_stations = (
        "机关",
        "社会事务综合服务中心",
        "综合行政执法中队",
        "退役军人服务站",
        "综合文化站",
        "市场监管所",
        "派出所",
        "党群服务中心",
    )
    schools = NameSource(["中心学校", "中学", "中心小学", "完全小学", "中心幼儿园"], town)
    if street:
        return [
            Unit(PlaceSource(places, "社区"), 0.55, "community", general=0.25, general_size=(2, 5)),
            Unit(NameSource(street_stations, town), 0.08, "government", general=0.1),
            Unit(schools, 0.09, "school"),
            Unit(CompanySource(faker, places), 0.13, "private"),
            Unit(NameSource(["非公企业", "商务楼宇", "个体工商户"], town), 0.05, "private", joint=1.0),
            Unit(NameSource(["老年人协会", "志愿服务协会", "个体劳动者协会", "商会"], town), 0.06, "social"),
            Unit(NameSource(["社区卫生服务中心"], town, finite=True), 0.02, "health"),
            Unit(PlaceSource(places, "物业服务有限公司"), 0.02, "state"),
        ]
    return [
        Unit(PlaceSource(places, "村"), 0.66, "rural", general=0.12, general_size=(2, 4)),
        Unit(PlaceSource(places, "社区"), 0.04, "community", general=0.1),
        Unit(NameSource(stations, town), 0.08, "government", general=0.05),
        Unit(schools, 0.08, "school"),
        Unit(NameSource(["卫生院"], town, finite=True), 0.02, "health"),
        Unit(CompanySource(faker, places), 0.06, "private"),
        Unit(NameSource(["非公企业", "个体工商户"], town), 0.03, "private", joint=1.0),
        Unit(NameSource(["老年人协会", "农民专业合作社"], town), 0.03, "social", joint=0.2),
    ]


def _county_units(county: str, profile: str, places: set[str], faker: Faker) -> list[Unit]:
    if profile == "government":
        return [
            Unit(
                NameSource(hunan.COUNTY_BUREAUS, county, extras=BUREAU_EXTRAS),
                1.0,
                "government",
                general=0.2,
                general_size=(2, 5),
            )
        ]
    if profile == "school":
        return [
            Unit(
                NameSource(hunan.SCHOOLS_COUNTY, county, finite=True),
                0.3,
                "school",
                general=0.5,
                general_size=(2, 5),
                sub_name=_school_branch,
            ),
            Unit(PlaceSource(places, "小学"), 0.4, "school"),
            Unit(PlaceSource(places, "中学"), 0.3, "school", general=0.1),
        ]
    if profile == "health":
        main = ["人民医院", "中医医院", "妇幼保健院", "疾病预防控制中心", "第二人民医院", "精神病医院"]
        return [
            Unit(
                NameSource(main, county, finite=True),
                0.5,
                "health",
                general=0.8,
                general_size=(3, 6),
                sub_name=_hospital_branch,
            ),
            Unit(PlaceSource(places, "镇卫生院"), 0.5, "health"),
        ]
    if profile == "state":
        return [
            Unit(
                NameSource(hunan.COUNTY_ENTERPRISES, county),
                1.0,
                "state",
                general=0.3,
                sub_name=_enterprise_branch,
            )
        ]
    if profile == "private":
        return [
            Unit(CompanySource(faker, places), 0.8, "private", general=0.05),
            Unit(PlaceSource(places, "工业园非公企业", county), 0.2, "private", joint=1.0),
        ]
    if profile == "social":
        return [
            Unit(NameSource(hunan.SOCIAL_ORGS, county, finite=True), 0.5, "social", joint=0.1),
            Unit(PlaceSource(places, "商会", county), 0.5, "social", joint=0.1),
        ]
    raise ValueError(profile)


def _hospital_branch(base: str, i: int) -> tuple[str, str]:
    units = hunan.HOSPITAL_UNITS
    suffix = units[(i - 1) % len(units)] + ("" if i <= len(units) else ordinal(i // len(units) + 1))
    return f"{base}{suffix}党支部", "health"


def _enterprise_branch(base: str, i: int) -> tuple[str, str]:
    units = hunan.ENTERPRISE_UNITS
    suffix = units[(i - 1) % len(units)] + ("" if i <= len(units) else ordinal(i // len(units) + 1))
    return f"{base}{suffix}党支部", "state"


def _build_city_direct(b: TreeBuilder, spec: ChunkSpec, faker: Faker) -> None:
    assert spec.city is not None
    city = spec.city.name
    places = set[str]()
    committees = [
        (
            f"{city}直属机关工委",
            OrgKind.WORKING_COMMITTEE,
            "government",
            0.4,
            [
                Unit(
                    NameSource(hunan.CITY_DEPARTMENTS, city, extras=BUREAU_EXTRAS),
                    1.0,
                    "government",
                    general=0.35,
                    general_size=(2, 6),
                    committee=0.15,
                    committee_size=(6, 20),
                    inner=[Unit(NameSource(DEPARTMENT_UNITS), 1.0, "government", general=0.1)],
                )
            ],
        ),
        (
            f"{city}委教育工委",
            OrgKind.WORKING_COMMITTEE,
            "school",
            0.25,
            [
                Unit(
                    NameSource(
                        [f"第{ordinal(i)}中学" for i in range(1, 13)]
                        + ["职业技术学院", "技师学院", "实验学校", "外国语学校"],
                        city,
                        finite=True,
                    ),
                    0.6,
                    "school",
                    general=0.6,
                    general_size=(3, 6),
                    sub_name=_school_branch,
                ),
                Unit(PlaceSource(places, "学校", city), 0.4, "school"),
            ],
        ),
        (
            f"{city}国资委党委",
            OrgKind.COMMITTEE,
            "state",
            0.2,
            [
                Unit(
                    PlaceSource(places, "投资发展集团有限公司", city),
                    1.0,
                    "state",
                    general=0.6,
                    general_size=(3, 6),
                    sub_name=_enterprise_branch,
                )
            ],
        ),
        (
            f"{city}卫生健康委党委",
            OrgKind.COMMITTEE,
            "health",
            0.15,
            [
                Unit(
                    NameSource(
                        [
                            "中心医院",
                            "第一人民医院",
                            "第二人民医院",
                            "第三人民医院",
                            "中医医院",
                            "妇幼保健院",
                            "疾病预防控制中心",
                            "精神卫生中心",
                        ],
                        city,
                        finite=True,
                    ),
                    0.7,
                    "health",
                    general=0.8,
                    general_size=(3, 8),
                    sub_name=_hospital_branch,
                ),
                Unit(
                    PlaceSource(places, "医院", city), 0.3, "health", general=0.3, sub_name=_hospital_branch
                ),
            ],
        ),
    ]
    _build_direct(b, spec, committees)


def _build_province_direct(b: TreeBuilder, spec: ChunkSpec, faker: Faker) -> None:
    places = set[str]()
    college = Unit(
        NameSource(hunan.COLLEGES),
        1.0,
        "uni_staff",
        general=0.9,
        general_size=(3, 7),
        sub_name=_college_branch,
    )
    vocational = [f"湖南{name}职业技术学院" for name in hunan.VOCATIONAL]
    hospital_unit = Unit(NameSource(hunan.HOSPITAL_UNITS), 1.0, "health", general=0.5, general_size=(2, 5))
    enterprise_unit = Unit(NameSource(hunan.ENTERPRISE_UNITS), 1.0, "state", general=0.5, general_size=(2, 5))
    department_unit = Unit(NameSource(DEPARTMENT_UNITS), 1.0, "government", general=0.2)
    committees = [
        (
            "省直机关工委",
            OrgKind.WORKING_COMMITTEE,
            "government",
            0.3,
            [
                Unit(
                    NameSource(hunan.PROVINCE_DEPARTMENTS, extras=BUREAU_EXTRAS),
                    1.0,
                    "government",
                    general=0.3,
                    general_size=(3, 8),
                    committee=0.7,
                    committee_size=(15, 45),
                    inner=[department_unit],
                )
            ],
        ),
        (
            "省委教育工委",
            OrgKind.WORKING_COMMITTEE,
            "uni_staff",
            0.45,
            [
                Unit(
                    NameSource([*hunan.UNIVERSITIES, *vocational], finite=True),
                    1.0,
                    "uni_staff",
                    committee=1.0,
                    committee_size=(15, 60),
                    inner=[college],
                ),
                Unit(
                    PlaceSource(places, "职业学院", "湖南"),
                    0.02,
                    "uni_staff",
                    committee=1.0,
                    committee_size=(10, 30),
                    inner=[college],
                ),
            ],
        ),
        (
            "省国资委党委",
            OrgKind.COMMITTEE,
            "state",
            0.17,
            [
                Unit(
                    NameSource(hunan.PROVINCE_ENTERPRISES),
                    1.0,
                    "state",
                    committee=1.0,
                    committee_size=(10, 50),
                    inner=[enterprise_unit],
                )
            ],
        ),
        (
            "省卫生健康委党委",
            OrgKind.COMMITTEE,
            "health",
            0.08,
            [
                Unit(
                    NameSource(
                        [
                            "湖南省人民医院",
                            "湖南省肿瘤医院",
                            "湖南省儿童医院",
                            "湖南省妇幼保健院",
                            "湖南省脑科医院",
                            "湖南省职业病防治院",
                            "湖南省疾病预防控制中心",
                            "湖南中医药大学第一附属医院",
                        ]
                    ),
                    1.0,
                    "health",
                    committee=1.0,
                    committee_size=(10, 40),
                    inner=[hospital_unit],
                )
            ],
        ),
    ]
    _build_direct(b, spec, committees)


def _build_direct(
    b: TreeBuilder, spec: ChunkSpec, committees: Sequence[tuple[str, str, str, float, list[Unit]]]
) -> None:
    parts = split(spec.org_budget - len(committees), [c[3] for c in committees])
    for i, ((name, kind, profile, _share, units), part) in enumerate(zip(committees, parts, strict=True)):
        node = b.add(
            None,
            name,
            kind,
            PROFILES[profile].sector,
            path=spec.parent_path + step(spec.first_index + i),
            code=spec.parent_code + f"{spec.first_index + i:03d}",
            depth=spec.parent_depth + 1,
            term=_fixed_term(b.rng, 2021, (1, 12)),
        )
        b.fill(node, part, units)


BUREAU_EXTRAS = ("直属事业单位", "综合执法大队", "服务中心", "机关第二")
DEPARTMENT_UNITS = (
    "办公室",
    "综合处",
    "政策法规处",
    "业务一处",
    "业务二处",
    "规划财务处",
    "人事处",
    "信息中心",
    "直属事业单位",
    "离退休干部处",
)
DIRECT_COMMITTEES = 4  # committees a province- or city-direct chunk puts under its parent
_BUILDERS = {
    "county": _build_county,
    "city_direct": _build_city_direct,
    "province_direct": _build_province_direct,
}


def chunk_region(spec: ChunkSpec) -> str:
    """The region code in the ID numbers of a chunk's members; no two chunks share one, so ID numbers
    only need de-duplicating within a chunk. A county uses its own code, a city's organs the city's
    code (431100: no county code ends in 00), the province's organs 长沙's old urban code 430101
    (unused by counties: 433101 is 吉首市, so "01" codes are not free in general)."""
    if spec.county is not None:
        return spec.county.code
    if spec.city is not None:
        return spec.city.code
    return "430101"


def build_chunk(spec: ChunkSpec, seed: int, today: date, faker: Faker) -> Chunk:
    rng = random.Random(f"{seed}/{spec.key}")
    faker.seed_instance(f"{seed}/{spec.key}")
    builder = TreeBuilder(rng, today)
    _BUILDERS[spec.kind](builder, spec, faker)
    builder.size_members(spec.member_budget)
    rows = sorted(builder.rows, key=lambda r: (r.depth, r.path))
    ethnic = hunan.ethnic_mix(
        spec.city.code if spec.city else hunan.PROVINCE_CODE, spec.county.name if spec.county else ""
    )
    region = chunk_region(spec)
    area = spec.city.area_code if spec.city else "0731"
    return Chunk(spec.key, spec.label, region, area, ethnic, rows)


# --- the plan --------------------------------------------------------------------------------


@dataclass
class Plan:
    scale: Scale
    seed: int
    today: date
    top: list[OrgRow]  # province and cities, depth order
    specs: list[ChunkSpec]
    faker: Faker = field(repr=False, default_factory=lambda: Faker("zh_CN"))

    def chunks(self) -> Iterator[Chunk]:
        for spec in self.specs:
            yield build_chunk(spec, self.seed, self.today, self.faker)


def _county_weight(county: County, rng: random.Random) -> float:
    if county.name.endswith("区"):
        base = 0.75
    elif county.name.endswith("市"):
        base = 1.25
    elif "自治" in county.name:
        base = 0.8
    else:
        base = 1.0
    return base * rng.uniform(0.75, 1.25)


def make_plan(scale: Scale | str, seed: int = 2017, today: date | None = None) -> Plan:
    scale = SCALES[scale] if isinstance(scale, str) else scale
    today = today or date.today()
    rng = random.Random(f"{seed}/plan")
    cities = [c for c in hunan.CITIES if scale.cities is None or c.code in scale.cities]
    counties = {
        c.code: [k for k in c.counties if scale.counties is None or k.code in scale.counties] for c in cities
    }
    weights = {k.code: _county_weight(k, rng) for c in cities for k in counties[c.code]}

    province_direct = DIRECT_COMMITTEES if scale.province_direct else 0
    city_direct = DIRECT_COMMITTEES if scale.city_direct else 0
    root = OrgRow(
        "0001",
        1,
        "湖南省委",
        hunan.PROVINCE_CODE,
        OrgKind.COMMITTEE,
        Sector.GOVERNMENT,
        date(1949, 8, 5),
        *_fixed_term(rng, 2021, (11, 11)),
        numchild=province_direct + len(cities),
    )
    top = [root]
    specs: list[ChunkSpec] = []
    orgs_left, members_left = scale.orgs - 1 - len(cities), scale.members
    if scale.province_direct:
        pd_orgs = round(orgs_left * PROVINCE_DIRECT_SHARE[0])
        pd_members = round(members_left * PROVINCE_DIRECT_SHARE[1])
        specs.append(
            ChunkSpec(
                "430000/direct", "province_direct", "省直属", root.path, root.code, 1, 1, pd_orgs, pd_members
            )
        )
        orgs_left, members_left = orgs_left - pd_orgs, members_left - pd_members
    city_weights = [sum(weights[k.code] for k in counties[c.code]) for c in cities]
    city_orgs = split(orgs_left, city_weights)
    city_members = split(members_left, city_weights)

    for i, city in enumerate(cities):
        row = OrgRow(
            root.path + step(province_direct + i + 1),
            2,
            f"{city.name}委",
            city.code,
            OrgKind.COMMITTEE,
            Sector.GOVERNMENT,
            date(1949, rng.randint(8, 12), rng.randint(1, 28)),
            *_fixed_term(rng, 2021, (8, 10)),
            numchild=city_direct + len(counties[city.code]),
        )
        top.append(row)
        orgs, members = city_orgs[i], city_members[i]
        if scale.city_direct:
            cd_orgs, cd_members = round(orgs * CITY_DIRECT_SHARE[0]), round(members * CITY_DIRECT_SHARE[1])
            specs.append(
                ChunkSpec(
                    f"{city.code}/direct",
                    "city_direct",
                    f"{city.name}直属",
                    row.path,
                    row.code,
                    2,
                    1,
                    cd_orgs,
                    cd_members,
                    city,
                )
            )
            orgs, members = orgs - cd_orgs, members - cd_members
        ws = [weights[k.code] for k in counties[city.code]]
        for j, (county, c_orgs, c_members) in enumerate(
            zip(counties[city.code], split(orgs, ws), split(members, ws), strict=True)
        ):
            specs.append(
                ChunkSpec(
                    county.code,
                    "county",
                    f"{county.name}委",
                    row.path,
                    row.code,
                    2,
                    city_direct + j + 1,
                    c_orgs,
                    c_members,
                    city,
                    county,
                )
            )
    return Plan(scale, seed, today, top, specs)


# --- members ---------------------------------------------------------------------------------


def generate_members(chunk: Chunk, seed: int, today: date) -> Iterator[MemberRow]:
    """The chunk's members, branch by branch: one secretary first, then the branch committee (for
    7 or more members), then the others; party groups assigned in turn."""
    rng = random.Random(f"{seed}/{chunk.key}/members")
    ethnic = Weighted(list(chunk.ethnic))
    used: set[str] = set()
    max_birth = min(date(2005, 12, 31), add_years(today, -20))
    latest_full_join = (today - timedelta(days=365 + 25)).toordinal()
    for index, org in enumerate(chunk.orgs):
        if not org.members:
            continue
        profile = PROFILES[org.profile]
        committee = 0 if org.members < 7 else 3 if org.members < 30 else 5
        for i in range(org.members):
            if i == 0:
                post = CommitteePost.SECRETARY
            elif i == 1 and committee == 5:
                post = CommitteePost.DEPUTY_SECRETARY
            elif i < committee:
                post = CommitteePost.COMMITTEE_MEMBER
            else:
                post = CommitteePost.NONE
            yield _member(
                rng,
                index,
                i % org.groups if org.groups else -1,
                post,
                profile,
                chunk,
                ethnic,
                used,
                today,
                max_birth,
                latest_full_join,
            )


def _member(
    rng: random.Random,
    index: int,
    group: int,
    post: str,
    profile: Profile,
    chunk: Chunk,
    ethnic: Weighted[str],
    used: set[str],
    today: date,
    max_birth: date,
    latest_full_join: int,
) -> MemberRow:
    gender = MALE if rng.random() < (profile.male if not post else 0.8) else FEMALE
    probationary = not post and rng.random() < 0.056  # ~5% of all, secretaries and committees are full
    if probationary:
        join = today - timedelta(days=rng.randint(7, 360))
        age_days = int((20 + min(rng.expovariate(1 / 6), 25)) * 365.25)
        birth = min(join - timedelta(days=age_days), max_birth)
        full = None
    else:
        lo, hi = (1966, 1996) if post else profile.births.pick(rng)
        birth = date.fromordinal(rng.randint(date(lo, 1, 1).toordinal(), date(hi, 12, 31).toordinal()))
        birth = min(birth, max_birth)
        earliest = add_years(birth, 18).toordinal()
        join_ord = earliest + int((0.2 + rng.expovariate(1 / 7.5)) * 365.25)
        if join_ord > latest_full_join:
            join_ord = rng.randint(min(earliest, latest_full_join), latest_full_join)
        join = date.fromordinal(join_ord)
        full = add_years(join, 1) + timedelta(days=rng.randint(0, 20))
    for attempt in range(200):  # ID numbers are unique: redraw the sequence, then shift the birthday
        id_number = generate_id_number(rng, birth, gender, chunk.region)
        if id_number not in used:
            break
        if attempt % 20 == 19:
            birth -= timedelta(days=1)
    used.add(id_number)

    old = birth.year < 1960
    age = today.year - birth.year
    if post:
        job = profile.secretary_job if post == CommitteePost.SECRETARY else rng.choice(profile.jobs)
    else:
        job = rng.choice(profile.jobs_old if age >= 60 else profile.jobs)
    if birth.year < 1945 and rng.random() < 0.3:
        phone = ""
    elif rng.random() < 0.04:
        digits = 8 if chunk.area_code == "0731" else 7
        phone = f"{chunk.area_code}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
    else:
        phone = rng.choice(hunan.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    status = MemberStatus.ACTIVE
    if not post:
        r = rng.random()
        if r < 0.005:
            status = MemberStatus.LOST_CONTACT
        elif r < 0.015:
            status = MemberStatus.FLOATING_OUT
    given = rng.choice(_FIRST[gender])
    if len(given) == 1 and rng.random() < 0.45:
        given += rng.choice(_FIRST_SINGLE[gender])
    return MemberRow(
        index,
        group,
        _LAST_NAMES.pick(rng) + given,
        gender,
        ethnic.pick(rng),
        birth,
        id_number,
        phone,
        (profile.education_old if old else profile.education).pick(rng),
        MemberCategory.PROBATIONARY if probationary else MemberCategory.FULL,
        status,
        join,
        full,
        job,
        post,
    )


def party_group_names(count: int) -> list[str]:
    return [f"第{ordinal(i)}党小组" for i in range(1, count + 1)]
