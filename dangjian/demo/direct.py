"""The organs directly under a city (市直) or the province (省直): four committees under the
parent — organs, education (schools; universities for the province), state enterprises, health —
each with its departments, schools, companies or hospitals below."""

from __future__ import annotations

from collections.abc import Sequence

from faker import Faker

from dangjian.organizations.models import OrgKind

from . import hunan
from .helpers import split, step
from .hunan import ordinal
from .profiles import PROFILES
from .tree import (
    BUREAU_EXTRAS,
    ChunkSpec,
    NameSource,
    PlaceSource,
    TreeBuilder,
    Unit,
    enterprise_branch,
    fixed_term,
    hospital_branch,
    school_branch,
)

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


def build_city_direct(b: TreeBuilder, spec: ChunkSpec, faker: Faker) -> None:
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
                    sub_name=school_branch,
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
                    sub_name=enterprise_branch,
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
                    sub_name=hospital_branch,
                ),
                Unit(PlaceSource(places, "医院", city), 0.3, "health", general=0.3, sub_name=hospital_branch),
            ],
        ),
    ]
    _build_direct(b, spec, committees)


def build_province_direct(b: TreeBuilder, spec: ChunkSpec, faker: Faker) -> None:
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
            term=fixed_term(b.rng, 2021, (1, 12)),
        )
        b.fill(node, part, units)


def _college_branch(base: str, i: int) -> tuple[str, str]:
    if i == 1:
        return f"{base}教工党支部", "uni_staff"
    kind = "本科生" if i % 3 else "研究生"
    return f"{base}{kind}第{ordinal(i // 2 + 1)}党支部", "uni_student"
