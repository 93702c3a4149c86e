"""One roster row to a member's values: cells normalized by field, the branch found, the rules
applied. Problems are collected for the whole row, so the report names all of them at once."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.core.tree import subtree_q
from dangjian.members.models import MemberStatus
from dangjian.organizations.models import MEMBER_HOLDING_KINDS, Organization

from . import normalize
from .columns import SYNONYMS, canonical
from .normalize import Refused
from .plain import Branch
from .rules import check_member


class BranchFinder:
    """Branches of the target subtree by code or name, each distinct cell looked up once.

    The subtree of a county holds ~2,000 organizations and of a province 200,000: looking up the
    few hundred distinct values a file names is cheaper than loading them all."""

    def __init__(self, root: Organization) -> None:
        self.root = root
        self.cache: dict[str, Branch | str] = {}
        self.own = Branch(root.pk, root.path, root.name) if root.holds_members else None

    def find(self, value: str) -> Branch | str:
        """The branch a cell names, or why there is none."""
        if not value:
            if self.own is None:
                return _("Name the member's branch: %(org)s holds no members itself.") % {"org": self.root}
            return self.own
        found = self.cache.get(value)
        if found is None:
            found = self.cache[value] = self._lookup(value)
        return found

    def _lookup(self, value: str) -> Branch | str:
        rows = list(
            Organization.objects.filter(Q(code=value) | Q(name=value))
            .filter(subtree_q(self.root.path))
            .values_list("pk", "path", "name", "kind", "code")[:3]
        )
        by_code = [r for r in rows if r[4] == value]
        rows = by_code or rows
        if not rows:
            return _("No organization %(value)s within %(org)s.") % {"value": value, "org": self.root}
        if len(rows) > 1:
            return _("Several organizations within %(org)s are called %(value)s: give the branch's code.") % {
                "value": value,
                "org": self.root,
            }
        pk, path, name, kind, _code = rows[0]
        if kind not in MEMBER_HOLDING_KINDS:
            return _("%(value)s is not a branch: members belong to a branch or general branch.") % {
                "value": name
            }
        return Branch(pk, path, name)


@dataclass
class Row:
    number: int
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    branch: Branch | None = None
    problems: list[str] = field(default_factory=list)


TEXT_FIELDS = ("job_title",)
READERS = {
    "birth_date": normalize.day,
    "join_date": normalize.day,
    "full_date": normalize.day,
}


class RowReader:
    """Cells to values. Needs no database (the branch is found by the caller), so it also runs
    in worker processes."""

    def __init__(self, columns: dict[str, int], headers: dict[str, str], today: date) -> None:
        self.columns = columns
        self.headers = headers
        self.today = today
        self.what = {"gender": _("gender"), "category": _("category"), "education": _("education")}

    def label(self, field: str) -> str:
        """The field as the file names it (its header), else by the canonical header."""
        return self.headers.get(field) or (canonical(field) if field in SYNONYMS else field)

    def is_blank(self, cells: list[Any]) -> bool:
        """Not a member row: neither name nor ID number (blank lines, footers like 制表人：…)."""
        for key in ("name", "id_number"):
            index = self.columns.get(key)
            if index is not None and index < len(cells) and normalize.text(cells[index]):
                return False
        return True

    def cell(self, cells: list[Any], field: str) -> Any:
        index = self.columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    def branch_cell(self, cells: list[Any]) -> str:
        return normalize.text(self.cell(cells, "branch_code")) or normalize.text(self.cell(cells, "branch"))

    def read(self, number: int, cells: list[Any], branch: "Branch | str") -> Row:
        """`branch`: the row's branch, or why none was found."""
        row = Row(number, cells)
        values: dict[str, Any] = {"status": MemberStatus.ACTIVE}
        days: dict[str, normalize.Day | None] = {}
        refused: set[str] = set()  # fields already reported: the rules need not repeat them

        def attempt(field: str, func: Any, *args: Any) -> Any:
            try:
                return func(self.cell(cells, field), *args)
            except Refused as exc:
                refused.add(field)
                row.problems.append(f"{self.label(field)}：{exc}")
                return None

        values["name"] = normalize.name(self.cell(cells, "name"))
        values["id_number"] = attempt("id_number", normalize.id_number) or ""
        for key in READERS:
            days[key] = attempt(key, normalize.day)
        what = self.what
        values["gender"] = attempt("gender", normalize.choice, normalize.GENDERS, what["gender"]) or ""
        values["category"] = (
            attempt("category", normalize.choice, normalize.CATEGORIES, what["category"]) or ""
        )
        values["education"] = (
            attempt("education", normalize.choice, normalize.EDUCATION, what["education"]) or ""
        )
        if "ethnicity" in self.columns and (ethnicity := normalize.ethnicity(self.cell(cells, "ethnicity"))):
            values["ethnicity"] = ethnicity
        values["phone"] = normalize.phone(self.cell(cells, "phone"))
        values["job_title"] = normalize.text(self.cell(cells, "job_title"))[:100]
        values["join_date"] = days["join_date"].value if days["join_date"] else None
        values["full_date"] = days["full_date"].value if days["full_date"] else None
        values["birth_date"] = self._birth(days["birth_date"], values["id_number"])
        if isinstance(branch, str):
            row.problems.append(f"{self.label('branch')}：{branch}")
        else:
            row.branch = branch
        clean, errors = check_member(values, True, self.today)
        for key, messages in errors.items():
            if key in refused:
                continue
            row.problems.extend(f"{self.label(key)}：{m}" for m in messages)
        row.values = clean
        return row

    def _birth(self, birth: normalize.Day | None, id_number: str) -> Any:
        """A birth month alone (1980.05) takes the day from the ID number when the months agree;
        otherwise the rules report the mismatch as for any other date."""
        if birth is None or not birth.month_only:
            return birth.value if birth else None
        digits = id_number[6:14]
        if len(id_number) == 18 and digits.isdigit() and digits[:6] == f"{birth.value:%Y%m}":
            try:
                return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                pass
        return birth.value
