"""The demo loader at its tiny scale (~240 organizations, ~2,400 members)."""

from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import TWO_FACTOR_ROLES
from dangjian.core.dates import add_years
from dangjian.core.idnumber import parse_id_number
from dangjian.core.models import AuditEntry
from dangjian.core.phone import validate_phone
from dangjian.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, PERSONAS
from dangjian.demo.helpers import step
from dangjian.demo.loader import insert_orgs
from dangjian.demo.people import generate_members
from dangjian.demo.plan import chunk_region, make_plan
from dangjian.development.models import Applicant
from dangjian.members.models import Member
from dangjian.members.validation import id_bidx, phone_bidx
from dangjian.organizations.models import BRANCH_KINDS, Organization, PartyGroup, default_term_years

TODAY = date(2026, 11, 27)
COUNTY = "431121"


def load(*extra: str) -> str:
    out = StringIO()
    call_command(
        "demo",
        "--scale",
        "tiny",
        "--seed",
        "7",
        "--today",
        TODAY.isoformat(),
        "--db-batch",
        "500",
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def loaded(db: None, settings: Any) -> str:
    settings.DEMO_MODE = True
    return load()


def test_steps_match_treebeard() -> None:
    for i in (1, 9, 10, 35, 36, 37, 1295, 1296, 46655):
        assert step(i) == Organization._get_path(None, 1, i)


def test_county_scale_tree_passes_treebeard_checks(db: None) -> None:
    """The full county tree (organizations only: members do not affect the tree)."""
    plan = make_plan("county", 2017, TODAY)
    insert_orgs(plan.top, 1000)
    for chunk in plan.chunks():
        insert_orgs(chunk.orgs, 1000)
    assert 1_800 <= Organization.objects.count() <= 2_000
    assert all(problems == [] for problems in Organization.objects.find_problems())


def test_province_plan_chunks_never_share_an_id_region() -> None:
    """ID numbers are de-duplicated within a chunk only, so each chunk needs its own region code."""
    plan = make_plan("province", 1, TODAY)
    regions = [chunk_region(spec) for spec in plan.specs]
    assert len(regions) == 1 + 14 + 122 == len(set(regions))
    assert len({o.code for o in plan.top} | set(regions)) == len(plan.top) + len(regions) - 14


def test_tree_is_valid_and_shaped_like_a_county(loaded: str) -> None:
    assert all(problems == [] for problems in Organization.objects.find_problems())
    orgs = Organization.objects.count()
    assert 220 <= orgs <= 260
    root = Organization.objects.get_root_nodes().get()
    assert (root.name, root.code) == ("湖南省委", "430000")
    county = Organization.objects.get(code=COUNTY)
    assert county.name == "祁阳县委" and county.depth == 3
    codes = list(Organization.objects.values_list("code", "path"))
    assert len({c for c, _ in codes}) == orgs
    by_path = dict((p, c) for c, p in codes)
    for code, path in codes:  # codes are hierarchical below the county
        parent_code = by_path.get(path[:-4])
        if parent_code and len(code) > 6:
            assert code.startswith(parent_code)

    branches = Organization.objects.filter(kind__in=BRANCH_KINDS)
    secretaries = Counter(
        Member.objects.filter(committee_post="secretary").values_list("organization", flat=True)
    )
    assert set(secretaries) == set(branches.values_list("pk", flat=True))
    assert set(secretaries.values()) == {1}
    admitted = set(Applicant.objects.exclude(member=None).values_list("member_id", flat=True))
    for branch in branches.prefetch_related("members", "party_groups"):
        # The tree's shape: the members it was generated with, not those the development
        # pipeline admitted since (a branch of 14 may have grown to 15 without groups).
        size = sum(1 for m in branch.members.all() if m.pk not in admitted)
        groups = len(branch.party_groups.all())
        assert size >= 3
        assert (1 <= groups <= 4) if size >= 15 else groups == 0
        years = default_term_years(branch.kind, branch.sector)
        assert branch.term_due_end is None or branch.term_due_end == add_years(branch.term_start, years)
    assert (
        Member.objects.filter(party_group__isnull=False)
        .exclude(party_group__organization=F("organization"))
        .count()
        == 0
    )
    assert "Loaded" in loaded


def test_members_are_consistent(loaded: str) -> None:
    members = list(Member.objects.all())
    assert 2_200 <= len(members) <= 2_600
    bidx = [m.id_number_bidx for m in members]
    assert len(set(bidx)) == len(bidx)
    for m in members:
        info = parse_id_number(m.id_number, today=TODAY)
        assert (info.birth_date, info.gender, info.region) == (m.birth_date, m.gender, COUNTY)
        assert m.id_number_bidx == id_bidx(m.id_number)
        assert m.phone_bidx == (phone_bidx(m.phone) if m.phone else "")
        if m.phone:
            assert validate_phone(m.phone) == m.phone
        assert date(1930, 1, 1) <= m.birth_date <= date(2005, 12, 31)
        assert add_years(m.birth_date, 18) <= m.join_date <= TODAY
        if m.category == "probationary":
            assert m.full_date is None and (TODAY - m.join_date).days <= 365
        else:
            assert add_years(m.join_date, 1) <= m.full_date <= TODAY
    males = sum(m.gender == "male" for m in members) / len(members)
    probationary = sum(m.category == "probationary" for m in members) / len(members)
    assert 0.65 < males < 0.82 and 0.02 < probationary < 0.09


def test_raw_rows_hold_ciphertext_only(loaded: str) -> None:
    plain = {m.id_number for m in Member.objects.all()[:200]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member")
        rows = cursor.fetchall()
    assert rows
    for id_number, phone in rows:
        assert "$" in id_number and id_number not in plain and not id_number[-18:].isdigit()
        assert phone == "" or "$" in phone


def test_same_seed_same_data() -> None:
    def snapshot(seed: int) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, date]]]:
        plan = make_plan("tiny", seed, TODAY)
        orgs = [(o.path, o.code, o.name) for o in plan.top]
        members: list[tuple[str, str, date]] = []
        for chunk in plan.chunks():
            orgs += [(o.path, o.code, o.name) for o in chunk.orgs]
            members += [(m.name, m.id_number, m.join_date) for m in generate_members(chunk, seed, TODAY)]
        return orgs, members

    first, again, other = snapshot(7), snapshot(7), snapshot(8)
    assert first == again
    assert first[0] != other[0] and first[1] != other[1]


def test_accounts_have_their_grants(loaded: str) -> None:
    grants = {g.user.username: g for g in RoleGrant.objects.select_related("user", "organization")}
    assert set(grants) == set(PERSONAS)
    for grant in grants.values():
        user = grant.user
        assert user.check_password(DEMO_PASSWORD)
        assert user.home_org_id == grant.organization_id
        assert user.totp_confirmed == (grant.role in TWO_FACTOR_ROLES)
        if user.totp_confirmed:
            assert user.totp_secret == DEMO_TOTP_SECRET
    assert pyotp.TOTP(DEMO_TOTP_SECRET).now().isdigit()
    branch = grants["secretary"].organization
    assert branch.kind == "branch" and grants["organizer"].organization == branch
    assert grants["secretary"].user.member.committee_post == "secretary"
    assert grants["secretary"].user.member.organization == branch
    assert grants["member"].user.member.organization == branch
    assert grants["county_staff"].organization.code == COUNTY
    township = grants["township_staff"].organization
    assert branch.path.startswith(township.path)
    outsider = User.objects.get(username="outsider")
    assert not Organization.objects.restrict(outsider).filter(pk=branch.pk).exists()
    county_staff = User.objects.get(username="county_staff")
    assert Organization.objects.restrict(county_staff).filter(pk=branch.pk).exists()
    entry = AuditEntry.objects.get(action="demo.load")
    assert f"organizations={Organization.objects.count()}" in entry.detail
    assert "secretary" in loaded and DEMO_TOTP_SECRET in loaded


def test_if_empty_does_nothing_the_second_time(loaded: str) -> None:
    def counts() -> list[int]:
        return [model.objects.count() for model in (Organization, PartyGroup, Member, User, AuditEntry)]

    before = counts()
    out = load("--if-empty")
    assert "nothing generated" in out and "province_admin" in out
    assert counts() == before
    with pytest.raises(CommandError):
        load()


def test_no_accounts_without_demo_mode(db: None, settings: object) -> None:
    settings.DEMO_MODE = False  # type: ignore[attr-defined]
    out = load()
    assert "No accounts were created" in out
    assert not User.objects.exists()


def test_party_groups_meet_at_a_spread_and_the_trend_has_the_year(loaded: str) -> None:
    """The supervision matrix of the demo county: the party-group meeting column is neither all
    0 % nor all 100 %, and the trend line has a point for every month of the year so far."""
    from datetime import timedelta

    from django.utils import timezone

    from dangjian.compliance.queries import matrix
    from dangjian.orglife.models import Meeting, MeetingKind

    today = timezone.localdate()
    county = Organization.objects.get(code=COUNTY)
    data = matrix(county, today.year)
    column = next(i for i, c in enumerate(data.columns) if c.rule.code == "group-meeting-monthly")
    percents = [row.cells[column].percent for row in data.rows if row.cells[column].applicable]
    assert len(percents) >= 3
    assert any(p < 100 for p in percents), percents
    if today.day >= 5:  # groups meet from the 2nd: before that nobody has met this month yet
        assert any(p > 0 for p in percents), percents

    # Every party group holds its own meetings; most did last month, not all.
    if today.month > 1:
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        groups = PartyGroup.objects.filter(organization__path__startswith=county.path)
        met = (
            Meeting.objects.filter(
                kind=MeetingKind.GROUP_MEETING,
                party_group__in=groups,
                starts_at__year=last_month.year,
                starts_at__month=last_month.month,
            )
            .values("party_group")
            .distinct()
            .count()
        )
        assert 0.6 <= met / groups.count() < 1.0, (met, groups.count())

    months = [s.month for s in data.trend]
    assert months == list(range(1, today.month + 1))
    assert len(months) >= min(6, today.month)
    shares = {round(s.met / s.applicable, 3) for s in data.trend if s.applicable}
    assert len(shares) > 1  # measured month by month, not one figure repeated
