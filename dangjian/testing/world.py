"""A small province for tests, with one account per persona (Healthchecks' alice/bob/charlie).

湖南省委 (province committee)
├── 长沙市委 (city)
│   ├── 芙蓉区委 (county A)
│   │   └── 定王台街道党工委 (township)
│   │       ├── 第一党支部 (branch A, two members, one party group)
│   │       └── 第二党支部 (branch A2)
│   └── 天心区委 (county B, the outsider's)
│       └── 坡子街党支部 (branch B, one member)
"""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dangjian.accounts.models import User
from dangjian.accounts.roles import TWO_FACTOR_ROLES, Role
from dangjian.accounts.services import create_user, grant_role
from dangjian.core.idnumber import generate_id_number
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.members.services import create_member
from dangjian.members.validation import id_bidx
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.organizations.services import create_organization, create_party_group

PASSWORD = "Test-pass-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_rng = random.Random(20170428)


def make_org(
    parent: Organization | None, name: str, code: str, kind: str, sector: str = "government", **extra: Any
) -> Organization:
    return create_organization(
        parent, {"name": name, "code": code, "kind": kind, "sector": sector, **extra}, acting_user=SYSTEM
    )


def _unused_id_number(birth: date, gender: str) -> str:
    # Only 500 numbers exist per birth date and gender in a region: avoid the rare collision.
    while True:
        number = generate_id_number(_rng, birth, gender)
        if not Member.objects.filter(id_number_bidx=id_bidx(number)).exists():
            return number


def make_member(
    org: Organization, name: str, *, birth: date = date(1980, 5, 4), gender: str = "male", **extra: Any
) -> Member:
    data = {
        "name": name,
        "gender": gender,
        "birth_date": birth,
        "id_number": _unused_id_number(birth, gender),
        "phone": f"138{_rng.randrange(10**8):08d}",
        "category": "full",
        "join_date": date(birth.year + 25, 7, 1),
        "full_date": date(birth.year + 26, 7, 1),
        **extra,
    }
    return create_member(org, data, acting_user=SYSTEM)


def make_user(username: str, role: str | None, org: Organization, member: Member | None = None) -> User:
    user = create_user(
        username, PASSWORD, home_org=org, member=member, acting_user=SYSTEM, must_change_password=False
    )
    if role:
        grant_role(user, org, role, acting_user=SYSTEM)
        if role in TWO_FACTOR_ROLES:
            user.totp_secret = TOTP_SECRET
            user.totp_confirmed = True
            user.save(update_fields=["totp_secret", "totp_confirmed"])
    user.forget_grants()
    return user


@dataclass
class World:
    province: Organization
    city: Organization
    county: Organization
    county_b: Organization
    township: Organization
    branch: Organization
    branch2: Organization
    branch_b: Organization
    group: PartyGroup
    member: Member
    member2: Member
    member_b: Member
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    province = make_org(None, "湖南省委", "430000", "committee")
    city = make_org(province, "长沙市委", "430100", "committee")
    county = make_org(city, "芙蓉区委", "430102", "committee", term_start=date(2021, 9, 1))
    county_b = make_org(city, "天心区委", "430103", "committee")
    township = make_org(county, "定王台街道党工委", "430102001", "working_committee", "community")
    branch = make_org(
        township, "第一党支部", "430102001001", "branch", "community", term_start=date(2024, 1, 1)
    )
    branch2 = make_org(township, "第二党支部", "430102001002", "branch", "community")
    branch_b = make_org(county_b, "坡子街党支部", "430103001001", "branch", "community")
    group = create_party_group(branch, "第一党小组", acting_user=SYSTEM)
    member = make_member(branch, "张伟", party_group=group)
    member2 = make_member(branch, "李娜", gender="female", birth=date(1990, 3, 8))
    member_b = make_member(branch_b, "王芳", gender="female")
    world = World(
        province,
        city,
        county,
        county_b,
        township,
        branch,
        branch2,
        branch_b,
        group,
        member,
        member2,
        member_b,
    )
    world.users = {
        "province_staff": make_user("province_staff", Role.COMMITTEE_STAFF, province),
        "county_staff": make_user("county_staff", Role.COMMITTEE_STAFF, county),
        "secretary": make_user("secretary", Role.SECRETARY, branch),
        "member_user": make_user("member_user", Role.MEMBER, branch, member=member),
        "outsider": make_user("outsider", Role.COMMITTEE_STAFF, county_b),
        "sysadmin": make_user("sysadmin", Role.SYSTEM_ADMIN, province),
        "auditor": make_user("auditor", Role.AUDIT_ADMIN, province),
        "secadmin": make_user("secadmin", Role.SECURITY_ADMIN, province),
    }
    return world


def add_every_role(world: World) -> World:
    """Personas for the roles the default world leaves out (organizer of the branch, supervisor
    of county A), for tests that go through every role: added on request only, as more record
    keepers would change what other tests count (reminders, notifications)."""
    world.users["organizer"] = make_user("organizer", Role.ORGANIZER, world.branch)
    world.users["supervisor"] = make_user("supervisor", Role.SUPERVISOR, world.county)
    return world
