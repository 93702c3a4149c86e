"""The import's rules are `clean_member`'s: the same outcome on generated rows."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.members.validation import clean_member
from dangjian.roster.rules import check_member
from dangjian.testing.world import World

from .files import new_id

days = st.dates(min_value=date(1930, 1, 1), max_value=date(2030, 12, 31))
rows = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["", "张三", " 李四 "]),
        "gender": st.sampled_from(["", "male", "female", "other"]),
        "birth": st.dates(min_value=date(1940, 1, 1), max_value=date(2005, 12, 31)),
        "birth_given": st.booleans(),
        "id_kind": st.sampled_from(["valid", "valid", "short", "bad_check"]),
        "phone": st.sampled_from(["", "13812345678", "0731-84561234", "12345", "138 1234 5678"]),
        "education": st.sampled_from(["", "bachelor", "phd"]),
        "category": st.sampled_from(["", "full", "probationary"]),
        "join": st.one_of(st.none(), days),
        "full": st.one_of(st.none(), days),
    }
)


def _data(r: dict[str, Any]) -> dict[str, Any]:
    number = new_id(r["birth"], "female" if r["gender"] == "female" else "male")
    if r["id_kind"] == "short":
        number = number[:15]
    elif r["id_kind"] == "bad_check":
        number = number[:17] + ("0" if number[17] != "0" else "1")
    return {
        "name": r["name"],
        "gender": r["gender"],
        "birth_date": r["birth"] + timedelta(days=1)
        if r["birth_given"] and r["name"] == ""
        else (r["birth"] if r["birth_given"] else None),
        "id_number": number,
        "phone": r["phone"],
        "education": r["education"],
        "category": r["category"],
        "status": "active",
        "join_date": r["join"],
        "full_date": r["full"],
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_same_outcome_as_clean_member(world: World, r: dict[str, Any]) -> None:
    data = _data(r)
    try:
        expected: dict[str, Any] | dict[str, list[str]] = clean_member(dict(data), world.branch)
        expected_errors: dict[str, list[str]] = {}
    except ValidationError as exc:
        expected, expected_errors = {}, exc.message_dict
    clean, errors = check_member(dict(data), True, timezone.localdate())
    assert errors == expected_errors
    if not errors:
        assert {k: clean[k] for k in expected} == expected
