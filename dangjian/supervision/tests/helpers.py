"""Building blocks for the supervision tests."""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.core.scoping import SYSTEM
from dangjian.leaders.models import LeadingCadre
from dangjian.leaders.services import appoint_leader
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.supervision import services
from dangjian.supervision.models import FiveStandardsAssessment
from dangjian.testing.world import World, make_user

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100

ALL_MEET = {f"{code}_rating": "meets" for code in ("setup", "life", "management", "rules", "venue")}


def this_year() -> int:
    return timezone.localdate().year


def today() -> date:
    return timezone.localdate()


def upload(name: str, content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def client_for(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def submitted(branch: Organization, by: Any, **ratings: str) -> FiveStandardsAssessment:
    """This year's assessment of `branch`, every dimension met (unless overridden), submitted."""
    assessment = services.save_assessment(branch, this_year(), {**ALL_MEET, **ratings}, acting_user=by)
    return services.submit_assessment(assessment, acting_user=by)


def secretary_and_township_staff(world: World) -> User:
    """Someone who is the branch's secretary and also on the staff of the township above it."""
    user = make_user("double_hat", Role.SECRETARY, world.branch)
    grant_role(user, world.township, Role.COMMITTEE_STAFF, acting_user=SYSTEM)
    user.forget_grants()
    return user


def county_cadre(world: World, member: Member | None = None) -> LeadingCadre:
    return appoint_leader(world.county, member or world.member, "书记", principal=True, acting_user=SYSTEM)
