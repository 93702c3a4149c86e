"""Which rules apply where, and how caps cut points. Pure functions apart from the one lookup.

The rules of the *nearest* committee above an organization that has active rules for the year
apply to it, as a whole set: a township that sets its own rules replaces its county's, rather
than adding to them (two sets would count one meeting twice).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from dangjian.core.tree import ancestor_paths, subtree_q

from .models import MEETING_KIND_RULES, CapPeriod, PointRule, RuleKind


@dataclass
class RuleBook:
    """Active rules of one year, by committee path; answers "which set applies to path p"."""

    year: int
    by_committee: dict[str, list[PointRule]] = field(default_factory=dict)

    @classmethod
    def for_subtree(cls, org_path: str, year: int) -> "RuleBook":
        """Every rule set that can apply anywhere in the subtree of `org_path`: those of its
        ancestors and those of committees inside it. One query."""
        own_chain = [*ancestor_paths(org_path), org_path]
        rules = PointRule.objects.filter(
            Q(committee__path__in=own_chain) | subtree_q(org_path, "committee__path"),
            year=year,
            active=True,
        ).select_related("committee")
        return cls.from_rules(year, rules)

    @classmethod
    def for_org(cls, org_path: str, year: int) -> "RuleBook":
        """The rule sets on the ancestor chain of one organization (and itself). One query."""
        rules = PointRule.objects.filter(
            committee__path__in=[*ancestor_paths(org_path), org_path], year=year, active=True
        ).select_related("committee")
        return cls.from_rules(year, rules)

    @classmethod
    def from_rules(cls, year: int, rules: Iterable[PointRule]) -> "RuleBook":
        book = cls(year)
        for rule in rules:
            book.by_committee.setdefault(rule.committee.path, []).append(rule)
        return book

    def applicable(self, org_path: str) -> list[PointRule]:
        """The set of the nearest committee at or above `org_path` that has rules."""
        for path in reversed([*ancestor_paths(org_path), org_path]):
            if path in self.by_committee:
                return self.by_committee[path]
        return []

    def ids(self) -> list[int]:
        return [r.pk for rules in self.by_committee.values() for r in rules]


def meeting_rule(rules: Iterable[PointRule], meeting_kind: str, present: bool) -> PointRule | None:
    """The rule a closed meeting's attendance earns under: the theme day rule for a theme day,
    else a meeting attendance rule naming the kind (or any kind); an absence rule when absent.
    The services keep the kinds of one set from overlapping, so at most one matches."""
    for rule in rules:
        names_kind = not rule.meeting_kinds or meeting_kind in rule.meeting_kinds
        if present and rule.kind == RuleKind.THEME_DAY and meeting_kind == "theme_day":
            return rule
        if (
            present
            and rule.kind == RuleKind.MEETING_ATTENDANCE
            and meeting_kind != "theme_day"
            and names_kind
        ):
            return rule
        if not present and rule.kind == RuleKind.ABSENCE and names_kind:
            return rule
    return None


def kinds_overlap(a: PointRule, b: PointRule) -> bool:
    """Whether two rules of one set would both count the same meeting."""
    if a.kind != b.kind:
        return False
    if a.kind not in MEETING_KIND_RULES:
        return a.kind in (RuleKind.THEME_DAY, RuleKind.DUES_ON_TIME, RuleKind.COMMUNITY_SERVICE)
    return not a.meeting_kinds or not b.meeting_kinds or bool(set(a.meeting_kinds) & set(b.meeting_kinds))


def period_key(day: date, period: str) -> tuple[int, ...]:
    """The cap period `day` falls in."""
    if period == CapPeriod.MONTH:
        return (day.year, day.month)
    if period == CapPeriod.QUARTER:
        return (day.year, (day.month - 1) // 3)
    return (day.year,)


def capped(raw: int, used: int, cap: int | None) -> tuple[int, bool]:
    """(points counted, whether the cap cut them) for `raw` points when `used` (absolute) points
    of the same rule are already counted in the period. Caps bound gains and losses alike."""
    if cap is None:
        return raw, False
    room = max(0, cap - used)
    if abs(raw) <= room:
        return raw, False
    return (room if raw > 0 else -room), True


class CapLedger:
    """Absolute points already counted per (member, rule, period), updated as entries are made."""

    def __init__(self) -> None:
        self.used: dict[tuple[int, int, tuple[int, ...]], int] = {}

    def add(self, member_id: int, rule: PointRule, day: date, points: int) -> None:
        if rule.cap_points is None:
            return
        key = (member_id, rule.pk, period_key(day, rule.cap_period))
        self.used[key] = self.used.get(key, 0) + abs(points)

    def take(self, member_id: int, rule: PointRule, day: date, raw: int) -> tuple[int, bool]:
        """Points counted for a new entry, recorded as used."""
        if rule.cap_points is None:
            return raw, False
        key = (member_id, rule.pk, period_key(day, rule.cap_period))
        points, cut = capped(raw, self.used.get(key, 0), rule.cap_points)
        self.used[key] = self.used.get(key, 0) + abs(points)
        return points, cut
