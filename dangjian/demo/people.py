"""A chunk's members, streamed branch by branch: names, birth dates, unique ID numbers, phones,
education, jobs, join dates and committee posts, drawn from the branch's member profile."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import NamedTuple

from faker.providers.person.zh_CN import Provider as PersonProvider

from dangjian.core.dates import add_years
from dangjian.core.idnumber import FEMALE, MALE, generate_id_number
from dangjian.members.models import CommitteePost, MemberCategory, MemberStatus

from . import hunan
from .helpers import Weighted
from .hunan import ordinal
from .plan import Chunk
from .profiles import PROFILES, Profile


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


_LAST_NAMES = Weighted(list(PersonProvider.last_names.items()))
_FIRST = {
    MALE: tuple(PersonProvider.first_names_male),
    FEMALE: tuple(PersonProvider.first_names_female),
}
_FIRST_SINGLE = {g: tuple(n for n in names if len(n) == 1) for g, names in _FIRST.items()}


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
