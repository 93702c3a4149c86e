"""Deterministic demo data shaped like Hunan: the plan of the organization tree.

Pure generation, no database access: `make_plan` lays out the top of the tree (province, cities)
and a list of chunks — one per county plus the organs directly under the province and each city —
and `Plan.chunks()` builds each chunk's subtree only when asked, so memory stays bounded by the
largest chunk (a few thousand organizations), never by the province. `people.generate_members`
then streams a chunk's members.

Everything comes from the seed: each chunk and each chunk's members draw from their own
`random.Random(f"{seed}/{key}")`, so a chunk's content does not depend on the order the loader
asks for it, and the same seed (and reference date) always gives the same data. The reference
date `today` places terms, probationary periods and ages relative to the day of loading.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from faker import Faker

from dangjian.organizations.models import OrgKind, Sector

from . import hunan
from .county import build_county
from .direct import DIRECT_COMMITTEES, build_city_direct, build_province_direct
from .helpers import split, step
from .hunan import County
from .tree import ChunkSpec, OrgRow, TreeBuilder, fixed_term


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


_BUILDERS = {
    "county": build_county,
    "city_direct": build_city_direct,
    "province_direct": build_province_direct,
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
        *fixed_term(rng, 2021, (11, 11)),
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
            *fixed_term(rng, 2021, (8, 10)),
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
