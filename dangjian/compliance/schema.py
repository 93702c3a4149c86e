"""Reading and checking a rule-set file (YAML or JSON; JSON is YAML too).

Every problem in a file is reported at once, each naming the rule it is in, so whoever edits the
file fixes it in one pass. Unknown keys are errors: a misspelt `mnimum` must not silently leave
a rule without its minimum.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.organizations.models import OrgKind, Sector

from . import metrics
from .models import RuleKind

PERIODS = ("month", "quarter", "year")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_RULES = 500
MAX_BYTES = 512 * 1024

SET_KEYS = {"code", "name", "year", "scope", "settings", "rules"}
SETTING_KEYS = {"warn_days", "reminders", "read_share"}
# Point 10: share of a branch's members (percent) who read each must-read notice within 7 days.
DEFAULT_READ_SHARE = 60
COMMON_KEYS = {"code", "point", "title", "title_en", "kind", "applies_to", "accountable", "warn_days", "note"}
KIND_KEYS: dict[str, set[str]] = {
    RuleKind.COUNT: {"metric", "period", "min", "start"},
    RuleKind.DEADLINE: {"metrics", "due"},
    RuleKind.PER_PERSON: {"population", "metric", "min", "share"},
    RuleKind.COVERAGE: {"of", "share"},
    RuleKind.STATE: {"metric"},
    RuleKind.NOT_MEASURED: set(),
}
APPLIES_KEYS = {"kinds", "sectors", "levels"}


@dataclass
class ParsedRule:
    code: str
    kind: str
    title: str
    title_en: str
    point: int | None
    spec: dict[str, Any]


@dataclass
class ParsedSet:
    code: str
    name: str
    year: int | None
    scope: str | None
    settings: dict[str, Any]
    rules: list[ParsedRule] = field(default_factory=list)


class Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}" if where else message)


def parse(text: str) -> ParsedSet:
    """The rule set in `text`, or ValidationError listing every problem."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(n)d KB.") % {"n": MAX_BYTES // 1024})
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line %(line)d") % {"line": mark.line + 1} if mark else ""
        raise ValidationError(
            _("The file is not valid YAML or JSON%(where)s.") % {"where": f" ({where})" if where else ""}
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError(_("The file must describe one rule set (keys code, name, rules)."))
    problems = Problems()
    parsed = _parse_set(data, problems)
    if problems.messages:
        raise ValidationError(problems.messages)
    return parsed


def _parse_set(data: dict[str, Any], problems: Problems) -> ParsedSet:
    _unknown(data, SET_KEYS, "", problems)
    code = _code(data.get("code"), "", problems)
    name = _text(data.get("name"), "name", "", problems, 200)
    year = data.get("year")
    if year is not None and not (isinstance(year, int) and 2000 <= year <= 2100):
        problems.add("", _("year must be a year such as 2017, or left out for every year."))
        year = None
    scope = data.get("scope")
    if scope is not None and not isinstance(scope, str | int):
        problems.add("", _("scope must be the code of an organization."))
        scope = None
    settings = _settings(data.get("settings") or {}, "", problems)
    rules_data = data.get("rules")
    result = ParsedSet(code, name, year, str(scope) if scope is not None else None, settings)
    if not isinstance(rules_data, list) or not rules_data:
        problems.add("", _("rules must be a list with at least one rule."))
        return result
    if len(rules_data) > MAX_RULES:
        problems.add("", _("A rule set holds at most %(n)d rules.") % {"n": MAX_RULES})
        return result
    seen: set[str] = set()
    for index, item in enumerate(rules_data, start=1):
        rule = _parse_rule(item, index, problems)
        if rule is None:
            continue
        if rule.code in seen:
            problems.add(_where(index, rule.code), _("the code is used by another rule."))
        seen.add(rule.code)
        result.rules.append(rule)
    by_code = {r.code: r for r in result.rules}
    for index, rule in enumerate(result.rules, start=1):
        if rule.kind == RuleKind.COVERAGE:
            target = by_code.get(rule.spec.get("of", ""))
            if target is None:
                problems.add(_where(index, rule.code), _("of must name another rule of this set."))
            elif target.kind in (RuleKind.COVERAGE, RuleKind.NOT_MEASURED):
                problems.add(
                    _where(index, rule.code), _("of must name a measured rule that is not a coverage.")
                )
    return result


def _where(index: int, code: str = "") -> str:
    return _("rule %(n)d (%(code)s)") % {"n": index, "code": code} if code else _("rule %(n)d") % {"n": index}


def _parse_rule(item: Any, index: int, problems: Problems) -> ParsedRule | None:
    if not isinstance(item, dict):
        problems.add(_where(index), _("a rule must be a mapping of keys to values."))
        return None
    code = _code(item.get("code"), _where(index), problems)
    where = _where(index, code)
    kind = item.get("kind")
    if kind not in KIND_KEYS:
        problems.add(where, _("kind must be one of %(kinds)s.") % {"kinds": ", ".join(KIND_KEYS)})
        return None
    _unknown(item, COMMON_KEYS | KIND_KEYS[kind], where, problems)
    title = _text(item.get("title"), "title", where, problems, 200)
    title_en = item.get("title_en") or ""
    if not isinstance(title_en, str) or len(title_en) > 200:
        problems.add(where, _("title_en must be text of at most 200 characters."))
        title_en = ""
    point = item.get("point")
    if point is not None and not (
        isinstance(point, int) and not isinstance(point, bool) and 1 <= point <= 99
    ):
        problems.add(where, _("point must be the number of a work point, such as 12."))
        point = None
    spec: dict[str, Any] = {
        "applies_to": _applies_to(item.get("applies_to") or {}, where, problems),
        "accountable": _roles(item.get("accountable") or [], where, problems),
    }
    if "warn_days" in item:
        spec["warn_days"] = _whole(item["warn_days"], "warn_days", where, problems, low=0, high=366)
    if item.get("note"):
        spec["note"] = _text(item["note"], "note", where, problems, 500)
    _KIND_PARSERS[kind](item, spec, where, problems)
    return ParsedRule(code, kind, title, title_en, point, spec)


def _count(item: dict[str, Any], spec: dict[str, Any], where: str, problems: Problems) -> None:
    spec["metric"] = _metric(item.get("metric"), "events", where, problems)
    period = item.get("period", "year")
    if period not in PERIODS:
        problems.add(where, _("period must be month, quarter or year."))
    spec["period"] = period
    spec["min"] = _whole(item.get("min"), "min", where, problems, low=1, high=10000)
    if "start" in item:
        # The first month (or quarter) asked for; the periods before it are not counted.
        last = {"month": 12, "quarter": 4}.get(period, 1)
        if period not in ("month", "quarter"):
            problems.add(where, _("start is only for a monthly or quarterly count."))
        else:
            spec["start"] = _whole(item["start"], "start", where, problems, low=1, high=last)


def _deadline(item: dict[str, Any], spec: dict[str, Any], where: str, problems: Problems) -> None:
    names = item.get("metrics")
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        problems.add(where, _("metrics must name at least one fact that has to exist by the date."))
        names = []
    spec["metrics"] = [_metric(n, "events", where, problems) for n in names]
    due = item.get("due")
    try:
        month, day = (int(x) for x in str(due).split("-"))
        date(2001, month, day)  # any non-leap year: 02-29 is refused
        spec["due"] = f"{month:02d}-{day:02d}"
    except (ValueError, TypeError):
        problems.add(where, _("due must be a day of the year as MM-DD, such as 05-31."))


def _per_person(item: dict[str, Any], spec: dict[str, Any], where: str, problems: Problems) -> None:
    spec["population"] = _metric(item.get("population"), "population", where, problems)
    spec["metric"] = _metric(item.get("metric"), "events", where, problems)
    spec["min"] = _whole(item.get("min", 1), "min", where, problems, low=1, high=10000)
    spec["share"] = _whole(item.get("share", 100), "share", where, problems, low=1, high=100)
    if spec["metric"] and not getattr(metrics.all_metrics()[spec["metric"]], "person", ""):
        problems.add(where, _("metric %(m)s does not record persons.") % {"m": spec["metric"]})


def _coverage(item: dict[str, Any], spec: dict[str, Any], where: str, problems: Problems) -> None:
    of = item.get("of")
    spec["of"] = of if isinstance(of, str) else ""
    spec["share"] = _whole(item.get("share", 100), "share", where, problems, low=1, high=100)


def _state(item: dict[str, Any], spec: dict[str, Any], where: str, problems: Problems) -> None:
    spec["metric"] = _metric(item.get("metric"), "state", where, problems)


def _not_measured(item: dict[str, Any], spec: dict[str, Any], where: str, problems: Problems) -> None:
    return None


_KIND_PARSERS = {
    RuleKind.COUNT: _count,
    RuleKind.DEADLINE: _deadline,
    RuleKind.PER_PERSON: _per_person,
    RuleKind.COVERAGE: _coverage,
    RuleKind.STATE: _state,
    RuleKind.NOT_MEASURED: _not_measured,
}


def _metric(name: Any, shape: str, where: str, problems: Problems) -> str:
    known = metrics.all_metrics()
    if not isinstance(name, str) or name not in known:
        choices = sorted(n for n, m in known.items() if m.shape == shape)
        problems.add(
            where,
            _("%(name)s is not a known %(shape)s metric; known: %(known)s.")
            % {"name": name, "shape": shape, "known": ", ".join(choices)},
        )
        return ""
    if known[name].shape != shape:
        problems.add(where, _("%(name)s is not a %(shape)s metric.") % {"name": name, "shape": shape})
        return ""
    return name


def _applies_to(data: Any, where: str, problems: Problems) -> dict[str, list[Any]]:
    if not isinstance(data, dict):
        problems.add(where, _("applies_to must be a mapping with kinds, sectors and levels."))
        return {}
    _unknown(data, APPLIES_KEYS, where, problems, prefix="applies_to.")
    result: dict[str, list[Any]] = {}
    for key, allowed in (("kinds", OrgKind.values), ("sectors", Sector.values)):
        values = data.get(key) or []
        bad = [v for v in values if v not in allowed] if isinstance(values, list) else [values]
        if bad:
            problems.add(
                where,
                _("applies_to.%(key)s: unknown %(bad)s; known: %(known)s.")
                % {"key": key, "bad": ", ".join(map(str, bad)), "known": ", ".join(allowed)},
            )
        elif values:
            result[key] = sorted(set(values))
    levels = data.get("levels") or []
    if not isinstance(levels, list) or not all(isinstance(v, int) and 1 <= v <= 20 for v in levels):
        problems.add(where, _("applies_to.levels must list tree levels (1 is the top), such as [3, 4]."))
    elif levels:
        result["levels"] = sorted(set(levels))
    return result


def _roles(data: Any, where: str, problems: Problems) -> list[str]:
    values = data if isinstance(data, list) else [data]
    bad = [v for v in values if v not in Role.values]
    if bad:
        problems.add(
            where,
            _("accountable: unknown role %(bad)s; known: %(known)s.")
            % {"bad": ", ".join(map(str, bad)), "known": ", ".join(Role.values)},
        )
        return []
    return list(dict.fromkeys(values))


def _settings(data: Any, where: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(data, dict):
        problems.add(where, _("settings must be a mapping."))
        return {}
    _unknown(data, SETTING_KEYS, where, problems, prefix="settings.")
    result: dict[str, Any] = {"warn_days": 14, "reminders": [14, 3]}
    # Kept only when given: the metrics that read it fall back to DEFAULT_READ_SHARE.
    if "read_share" in data:
        result["read_share"] = _whole(
            data["read_share"], "settings.read_share", where, problems, low=1, high=100
        )
    if "warn_days" in data:
        result["warn_days"] = _whole(
            data["warn_days"], "settings.warn_days", where, problems, low=0, high=366
        )
    if "reminders" in data:
        days = data["reminders"]
        if not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 366 for d in days):
            problems.add(where, _("settings.reminders must list days before a due date, such as [14, 3]."))
        else:
            result["reminders"] = sorted(set(days), reverse=True)
    return result


def _unknown(
    data: dict[str, Any], allowed: set[str], where: str, problems: Problems, prefix: str = ""
) -> None:
    for key in data:
        if key not in allowed:
            problems.add(
                where,
                _("unknown key %(key)s; allowed here: %(allowed)s.")
                % {"key": f"{prefix}{key}", "allowed": ", ".join(sorted(allowed))},
            )


def _code(value: Any, where: str, problems: Problems) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value):
        problems.add(
            where, _("code must be lower-case letters, digits and hyphens, such as branch-assembly.")
        )
        return ""
    return value


def _text(value: Any, key: str, where: str, problems: Problems, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.add(where, _("%(key)s is required.") % {"key": key})
        return ""
    if len(value) > limit:
        problems.add(where, _("%(key)s is longer than %(n)d characters.") % {"key": key, "n": limit})
    return value.strip()[:limit]


def _whole(value: Any, key: str, where: str, problems: Problems, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(
            where,
            _("%(key)s must be a whole number from %(low)d to %(high)d.")
            % {"key": key, "low": low, "high": high},
        )
        return low
    return value
