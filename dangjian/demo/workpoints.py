"""The year's work points of the demo: the 2017 Hunan work points (hunan-2017.yaml) re-dated to
the demo's year, loaded beside the standing rules (standing.yaml).

hunan-2017 lists every point of its notice by itself, so it repeats several standing rules under
codes of its own (`branch-assembly` beside `branch-assembly-quarterly`, …). Loaded together as
they are, a branch would see each of those twice on its checklist and the dashboard would count
them twice. The demo's set is therefore hunan-2017 without every rule whose measuring part — its
kind and the keys of that kind (metric, period, min, due, start, population, share, of; see
`schema.KIND_KEYS`) and `applies_to` — equals a standing rule's. Titles, notes, accountable
roles and warning days are not part of it: two rules counting the same records against the same
target measure the same thing. Rules that are not measured are never dropped (they measure
nothing, and each names a point of its own).
"""

import json
from pathlib import Path
from typing import Any

import yaml

from dangjian.compliance import schema
from dangjian.compliance.models import RuleKind

RULESETS = Path(__file__).resolve().parents[1] / "compliance" / "rulesets"
STANDING = RULESETS / "standing.yaml"
HUNAN_2017 = RULESETS / "hunan-2017.yaml"
CODE = "hunan-work-points"


def name_for(year: int) -> str:
    return f'{year}年党建工作要点（沿用湖南省2017年"两学一做"学习教育工作要点）'


def measuring_part(rule: schema.ParsedRule, by_code: dict[str, schema.ParsedRule]) -> str:
    """What the rule measures, as a comparable key: its kind, the keys of its kind and whom it
    applies to. A coverage rule's `of` names a rule of its own set, so the named rule's measuring
    part stands in for the code (a coverage of an equal rule is equal under any code)."""
    part: dict[str, Any] = {"kind": rule.kind, "applies_to": rule.spec.get("applies_to", {})}
    for key in sorted(schema.KIND_KEYS[rule.kind]):
        if key not in rule.spec:
            continue
        value = rule.spec[key]
        if key == "of":
            target = by_code.get(value)
            value = measuring_part(target, by_code) if target is not None else value
        elif key == "metrics":
            value = sorted(value)
        part[key] = value
    return json.dumps(part, sort_keys=True, ensure_ascii=False)


def duplicated(rules: list[schema.ParsedRule], standing: list[schema.ParsedRule]) -> list[str]:
    """Codes of the measured `rules` that measure what a standing rule measures."""
    standing_codes = {r.code: r for r in standing}
    taken = {measuring_part(r, standing_codes) for r in standing if r.kind != RuleKind.NOT_MEASURED}
    own = {r.code: r for r in rules}
    return [r.code for r in rules if r.kind != RuleKind.NOT_MEASURED and measuring_part(r, own) in taken]


def work_points_text(year: int) -> str:
    """The demo's rule-set file for `year`: hunan-2017 with its own code, name and year, the
    standing rules it repeats left out (YAML, as the console loads it)."""
    source = HUNAN_2017.read_text(encoding="utf-8")
    parsed = schema.parse(source)
    standing = schema.parse(STANDING.read_text(encoding="utf-8"))
    dropped = set(duplicated(parsed.rules, standing.rules))
    data = yaml.safe_load(source)
    kept = [item for item in data["rules"] if item["code"] not in dropped]
    orphans = [item["code"] for item in kept if item.get("of") in dropped]
    if orphans:  # a coverage left without the rule it covers would not load
        raise ValueError(f"coverage rules {orphans} cover rules repeated by the standing set")
    data.update(code=CODE, name=name_for(year), year=year, rules=kept)
    header = (
        f"# Work points of {year} for the demo: {HUNAN_2017.name} re-dated to {year}, without the\n"
        f"# rules that measure what a standing rule measures ({', '.join(sorted(dropped))}).\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
