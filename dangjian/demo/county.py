"""A county's subtree: the county committee, its townships and streets with their villages,
communities, stations, schools and enterprises, and the county's other grassroots committees
(organs, education, health, non-public economy, state assets, social organizations, police)."""

from __future__ import annotations

from faker import Faker

from dangjian.organizations.models import OrgKind, Sector

from . import hunan
from .helpers import split, step
from .profiles import PROFILES
from .tree import (
    BUREAU_EXTRAS,
    ChunkSpec,
    CompanySource,
    NameSource,
    PlaceSource,
    TreeBuilder,
    Unit,
    enterprise_branch,
    fixed_term,
    hospital_branch,
    school_branch,
)


def build_county(b: TreeBuilder, spec: ChunkSpec, faker: Faker) -> None:
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
        term=fixed_term(rng, 2021, (6, 9)),
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
                sub_name=school_branch,
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
                sub_name=hospital_branch,
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
                sub_name=enterprise_branch,
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
