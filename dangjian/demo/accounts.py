"""One demo account per persona, created through the account services, and their printout.

All demo accounts share one password and one TOTP secret, both printed: they exist only in demo
mode (settings.DEMO_MODE) or when the operator asks for them explicitly.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pyotp
from django.db.models import Count

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import TWO_FACTOR_ROLES, Role
from dangjian.accounts.services import create_user, enroll_totp_directly, grant_role
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import CommitteePost, Member, MemberCategory, MemberStatus
from dangjian.organizations.models import Organization, OrgKind, Sector

DEMO_PASSWORD = "Demo-2026!pass"  # noqa: S105 - printed on purpose: demo accounts only
# 32 base32 characters (160 bits, like pyotp.random_base32()); "2O26" with the letter O.
DEMO_TOTP_SECRET = "DANGJIANDEMO2O26DANGJIANDEMO2O26"  # noqa: S105
PERSONAS = (
    "province_admin",
    "security",
    "auditor",
    "county_staff",
    "township_staff",
    "secretary",
    "organizer",
    "member",
    "outsider",
)
COUNTY_CODE = "431121"  # 祁阳, present at every scale


@dataclass
class Persona:
    username: str
    role: str
    organization: Organization
    member: Member | None = None


def _county(root: Organization) -> Organization:
    county = Organization.objects.filter(code=COUNTY_CODE).first()
    if county is None:  # a tree not made by the generator: any committee three levels down
        county = Organization.objects.filter(depth=root.depth + 2, kind=OrgKind.COMMITTEE).first()
    if county is None:
        raise LookupError("No county-level committee found for the demo accounts.")
    return county


def _branch_in(township: Organization) -> Organization | None:
    """A rural branch directly under the township with at least 15 members and party groups."""
    return (
        Organization.objects.filter(
            path__startswith=township.path,
            depth=township.depth + 1,
            kind=OrgKind.BRANCH,
            sector=Sector.RURAL,
        )
        .annotate(n=Count("members", distinct=True), groups=Count("party_groups", distinct=True))
        .filter(n__gte=15, groups__gt=0)
        .order_by("path")
        .first()
    )


def choose_personas() -> list[Persona]:
    root = Organization.objects.get_root_nodes().first()
    if root is None:
        raise LookupError("There is no organization tree yet.")
    county = _county(root)
    townships = list(
        Organization.objects.get_children(county).filter(
            kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE]
        )
    )
    township = branch = None
    for candidate in sorted(townships, key=lambda t: (t.sector != Sector.RURAL, t.path)):
        branch = _branch_in(candidate)
        if branch is not None:
            township = candidate
            break
    if township is None or branch is None:
        raise LookupError("No township with a branch of 15 or more members found for the demo accounts.")
    # another county of the same city (six-digit region code), else another township
    siblings = (
        Organization.objects.get_siblings(county)
        .exclude(pk=county.pk)
        .filter(kind=OrgKind.COMMITTEE, code__regex=r"^\d{6}$")
    )
    outsider_org = siblings.first() or next(t for t in townships if t.pk != township.pk)

    members = Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).order_by("id")
    secretary = members.filter(committee_post=CommitteePost.SECRETARY).first()
    organizer = members.filter(committee_post=CommitteePost.COMMITTEE_MEMBER).first()
    plain = members.filter(committee_post=CommitteePost.NONE, category=MemberCategory.FULL).first()
    return [
        Persona("province_admin", Role.SYSTEM_ADMIN, root),
        Persona("security", Role.SECURITY_ADMIN, root),
        Persona("auditor", Role.AUDIT_ADMIN, root),
        Persona("county_staff", Role.COMMITTEE_STAFF, county),
        Persona("township_staff", Role.COMMITTEE_STAFF, township),
        Persona("secretary", Role.SECRETARY, branch, secretary),
        Persona("organizer", Role.ORGANIZER, branch, organizer),
        Persona("member", Role.MEMBER, branch, plain),
        Persona("outsider", Role.COMMITTEE_STAFF, outsider_org),
    ]


def create_demo_accounts() -> list[RoleGrant]:
    """Create the persona accounts that do not exist yet (through the services, audited)."""
    existing = set(User.objects.filter(username__in=PERSONAS).values_list("username", flat=True))
    for persona in choose_personas():
        if persona.username in existing:
            continue
        user = create_user(
            persona.username,
            DEMO_PASSWORD,
            home_org=persona.organization,
            member=persona.member,
            acting_user=SYSTEM,
            # The printed demo password is the persona's own: no forced change (demo data only).
            must_change_password=False,
        )
        grant_role(user, persona.organization, persona.role, acting_user=SYSTEM)
        if persona.role in TWO_FACTOR_ROLES:
            enroll_totp_directly(user, DEMO_TOTP_SECRET)
    return demo_grants()


def demo_grants() -> list[RoleGrant]:
    grants = RoleGrant.objects.filter(user__username__in=PERSONAS).select_related(
        "user", "user__member", "organization"
    )
    order = {name: i for i, name in enumerate(PERSONAS)}
    return sorted(grants, key=lambda g: order[g.user.username])


# --- printing --------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def accounts_report(grants: list[RoleGrant]) -> str:
    rows = [["username", "role", "organization", "password", "needs 2FA"]]
    for grant in grants:
        org = f"{grant.organization.name} ({grant.organization.code})"
        member = grant.user.member
        if member is not None:
            org += f" · {member.name}"
        rows.append(
            [
                grant.user.username,
                grant.role,
                org,
                DEMO_PASSWORD,
                "yes" if grant.role in TWO_FACTOR_ROLES else "no",
            ]
        )
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    uri = totp.provisioning_uri(name="demo", issuer_name="dangjian")
    needs = any(g.role in TWO_FACTOR_ROLES for g in grants)
    lines = [
        "Demo accounts (demo data only — never use these on a real installation):",
        "",
        format_table(rows),
    ]
    if needs:
        lines += [
            "",
            f"Second factor: every account marked 'yes' uses the TOTP secret {DEMO_TOTP_SECRET}.",
            "Add it once to an authenticator app (FreeOTP, Google or Microsoft Authenticator, …) by",
            f"typing the secret or opening {uri}",
            f"Current code: {totp.now()} (a new one every 30 seconds).",
        ]
    return "\n".join(lines)
