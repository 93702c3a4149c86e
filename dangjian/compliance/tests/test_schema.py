"""Loading rule sets: every problem reported at once and nothing stored; versions; who may load."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from dangjian.compliance.models import Rule, RuleSet
from dangjian.compliance.services import load_rule_set
from dangjian.compliance.tests.factories import load
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db

GOOD = """
code: branch-life
name: 支部组织生活
rules:
  - code: assembly
    point: 12
    title: 支部党员大会每季度至少1次
    kind: count
    metric: meetings.branch_assembly
    period: quarter
    min: 1
    accountable: [secretary]
  - {code: online, point: 10, title: 网上党支部, kind: not_measured}
"""


def refused(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load(text)
    return caught.value.messages


def test_a_good_file_loads_with_its_rules_in_order() -> None:
    rule_set = load(GOOD)
    assert (rule_set.code, rule_set.version, rule_set.year, rule_set.active) == ("branch-life", 1, None, True)
    rules = list(rule_set.rules.all())
    assert [(r.code, r.point, r.kind) for r in rules] == [
        ("assembly", 12, "count"),
        ("online", 10, "not_measured"),
    ]
    assert rules[0].spec["period"] == "quarter" and rules[0].spec["accountable"] == ["secretary"]
    assert rule_set.settings == {"warn_days": 14, "reminders": [14, 3]}


def test_every_problem_is_reported_at_once_and_nothing_is_stored() -> None:
    bad = """
code: Bad Code
name: x
rules:
  - {code: a, title: a, kind: count, metric: meetings.nothing, period: week, min: 0}
  - {code: a, title: b, kind: deadline, metrics: [study.plan], due: "02-30"}
  - {code: c, title: c, kind: state, metric: terms.overdue, mnimum: 1}
  - {code: d, title: d, kind: coverage, of: missing}
  - {code: e, title: e, kind: per_person, population: leaders.in_post, metric: study.plan}
  - {code: f, title: f, kind: count, metric: terms.overdue, min: 1, applies_to: {kinds: [village]}}
"""
    messages = refused(bad)
    text = "\n".join(messages)
    for expected in (
        "code must be lower-case",
        "meetings.nothing is not a known events metric",
        "period must be month, quarter or year",
        "min must be a whole number from 1 to 10000",
        "rule 2 (a): the code is used by another rule",
        "due must be a day of the year as MM-DD",
        "rule 3 (c): unknown key mnimum",
        "rule 4 (d): of must name another rule of this set",
        "metric study.plan does not record persons",
        "terms.overdue is not a events metric",
        "applies_to.kinds: unknown village",
    ):
        assert expected in text, expected
    assert not RuleSet.objects.exists() and not Rule.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code: [unclosed", "not valid YAML or JSON (line 1)"),
        ("- just a list", "must describe one rule set"),
        ("code: x\nname: x\nrules: []", "rules must be a list with at least one rule"),
        (
            "code: x\nname: x\nyear: 17\nrules: [{code: a, title: a, kind: not_measured}]",
            "year must be a year",
        ),
        (
            '{"code": "x", "name": "x", "rules": [{"code": "a", "title": "a", "kind": "magic"}]}',
            "kind must be one of",
        ),
    ],
)
def test_malformed_files(text: str, message: str) -> None:
    assert message in "\n".join(refused(text))


def test_reloading_makes_a_new_active_version_and_an_identical_file_changes_nothing() -> None:
    first = load(GOOD)
    again, created = load_rule_set(GOOD, acting_user=SYSTEM)
    assert (again.pk, created) == (first.pk, False)
    second = load(GOOD.replace("min: 1", "min: 2"))
    assert second.version == 2
    assert list(RuleSet.objects.filter(code="branch-life", active=True)) == [second]
    assert AuditEntry.objects.filter(action="compliance.ruleset.load", success=True).count() == 2


def test_scope_must_exist_and_be_managed_by_the_user(world: World) -> None:
    scoped = GOOD.replace("rules:", "scope: '430102'\nrules:", 1)
    assert "no organization has the code 999" in "\n".join(refused(scoped.replace("430102", "999")))
    rule_set, _created = load_rule_set(scoped, acting_user=world.county_staff)
    assert rule_set.scope == world.county
    with pytest.raises(ValidationError, match="organizations you manage"):
        load_rule_set(scoped.replace("branch-life", "other"), acting_user=world.outsider)
    with pytest.raises(ValidationError, match="organizations you manage"):
        load_rule_set(
            GOOD.replace("branch-life", "global"), acting_user=world.province_staff
        )  # no scope: console
    assert AuditEntry.objects.filter(action="compliance.ruleset.load", success=False).count() == 3


def test_cli_load_and_recompute(tmp_path: Path, world: World) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("compliance", "load", str(path), stdout=out)
    assert "loaded: branch-life v1, 2 rules" in out.getvalue()
    call_command("compliance", "recompute", "--year", "2026", "--org", "430102", stdout=out)
    assert "2026: 1 rules, 4 results" in out.getvalue()  # the county, its township, two branches
    path.write_text(GOOD.replace("kind: count", "kind: counted"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("compliance", "load", str(path), stdout=out, stderr=err)
    assert "kind must be one of" in err.getvalue()


def test_a_user_cannot_replace_a_rule_set_loaded_for_more_than_they_manage(world: World) -> None:
    load(GOOD)  # from the console, for the whole installation
    scoped = GOOD.replace("rules:", "scope: '430102'\nrules:", 1)
    with pytest.raises(ValidationError, match="belongs to a rule set loaded for another part"):
        load_rule_set(scoped, acting_user=world.county_staff)
    assert list(
        RuleSet.objects.filter(code="branch-life", active=True).values_list("version", flat=True)
    ) == [1]
    province_set, _created = load_rule_set(
        scoped.replace("branch-life", "province-set").replace("430102", "430000"),
        acting_user=world.province_staff,
    )
    with pytest.raises(ValidationError, match="belongs to a rule set loaded for another part"):
        load_rule_set(scoped.replace("branch-life", "province-set"), acting_user=world.county_staff)
    assert RuleSet.objects.get(code="province-set", active=True) == province_set
