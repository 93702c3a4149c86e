"""Member profiles: per kind of branch (village, community, organ, school, hospital, state or private
enterprise, social organization, university staff or students), its sector, typical size, and the mix
of birth years, gender, education and jobs of its members."""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.members.models import Education
from dangjian.organizations.models import Sector

from .helpers import Weighted


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
