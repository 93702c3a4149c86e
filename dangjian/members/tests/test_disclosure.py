"""The disclosure policy: nothing a role sees of a member, on any channel, rebuilds an ID number
or a phone (docs/architecture.md, "Disclosure policy").

For every persona, everything it can see of one member is gathered — the member page and its
edit form, the member list (and which age bands it falls in), the API detail and list, the
.xlsx and .csv exports (read as a workbook and as CSV text), the audit log, the transfer letter
PDF — and the ID-number characters, birth-date parts and phone digits it learns are combined.
Then the candidate ID numbers consistent with all of it are counted with the real checksum,
counting conservatively: the region and the gender are taken as known. Fewer than 10,000
candidates fails the test; the only way to more is the audited reveal, which is not used here.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from dangjian.core.dates import add_years
from dangjian.core.idnumber import checksum_char
from dangjian.members.filters import AGE_BANDS, age_band_q
from dangjian.members.models import Member
from dangjian.members.services import update_member
from dangjian.roster.columns import TEMPLATE_FIELDS
from dangjian.testing.api import english_client
from dangjian.testing.world import World, add_every_role, make_member
from dangjian.transfers import services as transfers

BAR = 10_000
# Every role of accounts/roles.py has a persona (the test world with `add_every_role`).
PERSONAS = [
    "member_user",
    "organizer",
    "secretary",
    "county_staff",
    "province_staff",
    "supervisor",
    "outsider",
    "sysadmin",
    "secadmin",
    "auditor",
]
ID_RE = re.compile(r"(?<![\dA-Za-z*])\d{6}[\d*]{11}[\dXx*](?![\dA-Za-z*])")
MOBILE_RE = re.compile(r"(?<![\d*])1[\d*]{10}(?![\d*])")
BIRTH_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass
class Knowledge:
    """What one persona learned of the member."""

    id_chars: dict[int, str] = field(default_factory=dict)
    phone_chars: dict[int, str] = field(default_factory=dict)
    year: int | None = None
    month: int | None = None
    day: int | None = None
    # (earliest, latest) birth dates each age-band answer allows.
    birth_ranges: list[tuple[date, date]] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)

    def learn_text(self, text: str, channel: str) -> None:
        """ID numbers and mobile numbers in text that concerns only this member."""
        for match in ID_RE.findall(text):
            self.learn_id(match, channel)
        for match in MOBILE_RE.findall(text):
            for pos, char in enumerate(match):
                if char != "*":
                    self.phone_chars[pos] = char
            self.channels.add(channel)

    def learn_id(self, value: str, channel: str) -> None:
        for pos, char in enumerate(value):
            if char != "*":
                self.id_chars[pos] = char.upper()
        self.channels.add(channel)

    def learn_birth(self, value: Any, channel: str) -> None:
        match = BIRTH_RE.match(str(value or "").strip())
        if not match:
            return
        year, month, day = match.groups()
        self.year = int(year)
        self.month = int(month) if month else self.month
        self.day = int(day) if day else self.day
        self.channels.add(channel)

    def id_candidates(self, member: Member, cap: int) -> int:
        """ID numbers consistent with everything learned (counting stops at `cap`). The region
        and the gender count as known whatever was shown."""
        region = member.id_number[:6]
        parity = 1 if member.gender == "male" else 0
        dates = [d for d in _all_birth_dates() if self._birth_fits(d)]
        suffixes = [
            f"{n:03d}"
            for n in range(1000)
            if n % 2 == parity and all(self.id_chars.get(14 + i, c) == c for i, c in enumerate(f"{n:03d}"))
        ]
        check = self.id_chars.get(17)
        count = 0
        for day in dates:
            digits = f"{day:%Y%m%d}"
            if any(self.id_chars.get(6 + i, c) != c for i, c in enumerate(digits)):
                continue
            for suffix in suffixes:
                if check is None or checksum_char(region + digits + suffix) == check:
                    count += 1
                    if count >= cap:
                        return count
        return count

    def phone_candidates(self) -> int:
        return int(10 ** (11 - len(self.phone_chars)))

    def _birth_fits(self, day: date) -> bool:
        if self.year is not None and day.year != self.year:
            return False
        if self.month is not None and day.month != self.month:
            return False
        if self.day is not None and day.day != self.day:
            return False
        return all(low <= day <= high for low, high in self.birth_ranges)


def _all_birth_dates() -> list[date]:
    first, last = date(1900, 1, 1), timezone.localdate()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _strip(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html).strip()


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _pages(client: Client, member: Member, known: Knowledge) -> None:
    name = member.name
    page = client.get(f"/members/{member.pk}/")
    if page.status_code == 200:
        html = page.content.decode()
        known.learn_text(html, "member page")
        birth = re.search(r"Birth date</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
        if birth:
            known.learn_birth(
                _strip(birth.group(1)).split()[0] if _strip(birth.group(1)) else "", "member page"
            )
    edit = client.get(f"/members/{member.pk}/edit/")
    if edit.status_code == 200:
        html = edit.content.decode()
        known.learn_text(html, "edit form")
        field_html = re.search(r"<input[^>]*name=\"birth_date\"[^>]*>", html)
        value = re.search(r"value=\"([^\"]*)\"", field_html.group(0)) if field_html else None
        if value:
            known.learn_birth(value.group(1), "edit form")
    listing = client.get("/members/", {"q": name})
    if listing.status_code == 200:
        html = listing.content.decode()
        known.learn_text(html, "member list")
        for cell in re.findall(r'data-label="Birth date">(.*?)</td>', html, re.S):
            known.learn_birth(_strip(cell), "member list")
        for band in AGE_BANDS:
            shown = client.get("/members/", {"q": name, "age_band": band})
            _learn_band(known, band, f'href="/members/{member.pk}/"' in shown.content.decode())


def _band_range(band: str) -> tuple[date, date]:
    """The birth dates the band's filter accepts today, read off its own query (so the test
    follows the filter's definition of an age, whatever it is)."""
    earliest, latest = date(1900, 1, 1), timezone.localdate()
    for lookup, bound in age_band_q(band, timezone.localdate()).children:  # type: ignore[misc]
        if lookup == "birth_date__lte":
            latest = min(latest, bound)
        elif lookup == "birth_date__lt":
            latest = min(latest, bound - timedelta(days=1))
        elif lookup == "birth_date__gte":
            earliest = max(earliest, bound)
        elif lookup == "birth_date__gt":
            earliest = max(earliest, bound + timedelta(days=1))
        else:
            raise AssertionError(f"unexpected age-band lookup {lookup}")
    return earliest, latest


def _learn_band(known: Knowledge, band: str, inside: bool) -> None:
    """An age-band answer: the member lies inside the band's range (an answer "outside" would
    exclude a range too; being inside one band implies it for the others)."""
    if inside:
        known.birth_ranges.append(_band_range(band))
        known.channels.add("age band")


def _api(user: Any, member: Member, known: Knowledge) -> None:
    client = english_client()
    client.force_authenticate(user=user)
    records: list[dict[str, Any]] = []
    detail = client.get(f"/api/v1/members/{member.pk}/")
    if detail.status_code == 200:
        records.append(detail.json())
    listing = client.get("/api/v1/members/", {"q": member.name})
    if listing.status_code == 200:
        records.extend(r for r in listing.json()["results"] if r["id"] == member.pk)
    for band in AGE_BANDS:
        shown = client.get("/api/v1/members/", {"q": member.name, "age_band": band})
        if shown.status_code == 200:
            _learn_band(known, band, any(r["id"] == member.pk for r in shown.json()["results"]))
    for record in records:
        known.learn_text(json.dumps(record, ensure_ascii=False), "API")
        for key in ("birth_date", "birth"):
            known.learn_birth(record.get(key), "API")


def _exports(client: Client, member: Member, known: Knowledge) -> None:
    birth_col = TEMPLATE_FIELDS.index("birth_date")
    rows: list[list[str]] = []
    as_csv = client.get("/members/export.csv", {"q": member.name})
    if as_csv.status_code == 200:
        text = b"".join(as_csv.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        rows.extend(list(csv.reader(io.StringIO(text)))[1:])
    as_xlsx = client.get("/members/export.xlsx", {"q": member.name})
    if as_xlsx.status_code == 200:
        book = openpyxl.load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content)), read_only=True)  # type: ignore[attr-defined]
        sheet = book.worksheets[0]
        rows.extend(
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(min_row=3, values_only=True)
        )
    for row in rows:
        if row and row[0] == member.name:
            known.learn_text(" ".join(row), "export")
            known.learn_birth(row[birth_col], "export")


def _audit(client: Client, member: Member, known: Knowledge) -> None:
    page = client.get("/audit/")
    if page.status_code != 200:
        return
    for row in re.findall(r"<tr>(.*?)</tr>", page.content.decode(), re.S):
        if member.name not in row:
            continue
        known.learn_text(row, "audit log")
        for old, new in re.findall(r"<b>birth_date</b>:\s*(.*?)\s*→\s*(.*?)\s*</div>", row, re.S):
            known.learn_birth(old, "audit log")
            known.learn_birth(new, "audit log")


def _letter(client: Client, transfer_pk: int, known: Knowledge) -> None:
    response = client.get(f"/transfers/{transfer_pk}/letter.pdf")
    if response.status_code == 200:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        known.learn_text(text.replace(" ", ""), "transfer letter")


def what_persona_learns(
    world: World, persona: str, transfer_pk: int | None, member: Member | None = None
) -> Knowledge:
    user = world.users[persona]
    member = Member.objects.get(pk=(member or world.member).pk)
    known = Knowledge()
    client = _client(user)
    _pages(client, member, known)
    _api(user, member, known)
    _exports(client, member, known)
    _audit(client, member, known)
    if transfer_pk is not None:
        _letter(client, transfer_pk, known)
    return known


@pytest.fixture
def world(world: World) -> World:
    return add_every_role(world)


@pytest.fixture
def transfer_pk(world: World) -> int:
    # Audit entries of member fields (an edit that moves the phone and the birth date's day) and
    # a transfer letter to print.
    member = Member.objects.get(pk=world.member.pk)
    update_member(member, {"phone": "13900001111", "job_title": "教师"}, acting_user=world.secretary)
    t = transfers.start_transfer(
        world.member,
        destination="中共深圳市南山区粤海街道科技园党支部",
        reason="赴外省工作",
        acting_user=world.secretary,
    )
    return t.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_role_can_narrow_an_id_number_or_phone(world: World, transfer_pk: int, persona: str) -> None:
    known = what_persona_learns(world, persona, transfer_pk)
    member = Member.objects.get(pk=world.member.pk)
    ids = known.id_candidates(member, cap=BAR)
    assert ids >= BAR, f"{persona} narrows the ID number to {ids} candidates from {sorted(known.channels)}"
    phones = known.phone_candidates()
    assert phones >= BAR, f"{persona} narrows the phone to {phones} candidates from {sorted(known.channels)}"


def test_the_gathering_sees_what_each_role_is_shown(world: World, transfer_pk: int) -> None:
    """The test above is not vacuous: the channels are read, and each shows its policy's form."""
    member = Member.objects.get(pk=world.member.pk)
    secretary = what_persona_learns(world, "secretary", transfer_pk)
    assert {"member page", "member list", "API", "export", "transfer letter"} <= secretary.channels
    assert secretary.id_chars == dict(enumerate(member.id_number[:6]))
    assert (secretary.year, secretary.month, secretary.day) == (1980, 5, None)
    assert secretary.phone_chars == {0: "1", 1: "3", 2: "9", 7: "1", 8: "1", 9: "1", 10: "1"}
    # Year-month, gender and region: about 31 x 500 ID numbers.
    assert BAR <= secretary.id_candidates(member, cap=10**6) <= 31 * 500
    organizer = what_persona_learns(world, "organizer", transfer_pk)
    assert {"member page", "member list", "API", "edit form"} <= organizer.channels
    assert (organizer.year, organizer.month, organizer.day) == (1980, None, None)
    auditor = what_persona_learns(world, "auditor", transfer_pk)
    assert auditor.channels == {"audit log"} and auditor.month == 5


def test_age_bands_do_not_split_a_birth_month(world: World) -> None:
    """A member whose birthday is near today: bands counted to the day would tell the secretary
    (who sees the year-month) on which side of today's date the birthday falls."""
    today = timezone.localdate()
    birth = add_years(today, -46)
    if today.day > 15:  # the side with fewer days in the month: after today
        birth += timedelta(days=1)
    member = make_member(world.branch, "赵敏", birth=birth, join_date=date(birth.year + 25, 7, 1))
    known = what_persona_learns(world, "secretary", None, member)
    assert "age band" in known.channels and known.month == birth.month
    ids = known.id_candidates(member, cap=BAR)
    assert ids >= BAR, f"the secretary narrows the ID number to {ids} candidates"
