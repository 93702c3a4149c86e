"""One declarative workflow per model: the states, the moves between them, who may take each
move relative to the record's organization, and what every move does the same way.

A model's workflow is data (`Workflow`, a tuple of `Transition`s); `Workflow.move` is the one
function that takes a move. In order, it:

1. locks the row and re-reads it (`select_for_update`), and refuses an outsider (`OutOfScope`:
   404 on a page, in the API) when the record is not within the workflow's `gate` action (nor
   is the actor one the workflow `admit`s besides);
2. refuses a stale page (`expected_version` ≠ the row's version: code "stale", 409);
3. refuses a move the state does not allow (code "transition");
4. refuses an actor none of whose `who` holds (code "actor"), then one an exclusion names
   ("not the proposer", "not a member of the organization under review": code "excluded");
5. checks the required note and the transition's guards (each raises ValidationError);
6. writes the state, the `<stamp>_by` / `<stamp>_at` columns (or the `at` column alone), the
   note, the caller's `fields`,
   and the version + 1 — only those columns;
7. writes one history row (`StateChange`, readable by whoever can read the record), one audit
   entry (`<audit>.<move>`) and one change event (`events.changed`, on commit);
8. calls the workflow's `after` hook, in the same transaction (e.g. to shift stored counts).

Deadlines (`Deadline`) name a state, the date column that bounds it and who is reminded; the
reminder task (`notifications.tasks`) sends them through the notification pipeline.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import audit, events
from .exceptions import OutOfScope
from .scoping import SYSTEM, in_scope
from .services import account_of, write_service
from .tree import STEPLEN

Check = Callable[[Any, Any], bool]  # (user, record) -> allowed / excluded
OrgOf = Callable[[Any], Any]  # record -> the organization (a row with .pk and .path)
REGISTRY: dict[str, "Workflow"] = {}


@dataclass(frozen=True)
class Who:
    """One kind of actor a move allows; `label` names it in docs and on the page."""

    label: str
    check: Check

    def __call__(self, user: Any, obj: Any) -> bool:
        return self.check(user, obj)


@dataclass(frozen=True)
class Unless:
    """An exclusion: an actor `who` would allow, refused with `message`."""

    label: str
    check: Check
    message: str | Promise


def in_reach(action: str = "change", of: OrgOf | None = None, label: str = "") -> Who:
    """A grant allowing `action` that covers the record (or `of(record)`): a grant on that
    organization or any ancestor, since a grant covers its subtree."""

    def check(user: Any, obj: Any) -> bool:
        if of is None:
            return in_scope(user, obj, action)
        return reaches(user, of(obj), action)

    return Who(label or f"{action} on the record", check)


def reaches(user: Any, org: Any, action: str) -> bool:
    """True when one of `user`'s grants allowing `action` covers `org` (no query: the grants
    are read once per request)."""
    if user is SYSTEM:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return any(org.path.startswith(p) for p in user.scope_paths(action))


class _Path:
    """An organization known by its path only (the level above, without reading it)."""

    def __init__(self, path: str) -> None:
        self.path = path


def level_above(of: OrgOf, action: str = "change", label: str = "the level above") -> Who:
    """A grant allowing `action` that covers `of(record)`'s parent: on the parent or any ancestor,
    never on the organization alone. The top of the tree has no level above."""

    def check(user: Any, obj: Any) -> bool:
        parent = of(obj).path[:-STEPLEN]
        return bool(parent) and reaches(user, _Path(parent), action)

    return Who(label, check)


def not_inside(
    of: OrgOf,
    message: str | Promise,
    action: str = "change",
    label: str = "no writing grant on or inside the organization",
) -> Unless:
    """Excludes whoever holds a grant allowing `action` on `of(record)` or anywhere inside it:
    an organization's own officers do not judge its own work, whatever they also hold above."""

    def check(user: Any, obj: Any) -> bool:
        if user is SYSTEM or not getattr(user, "is_authenticated", False):
            return False
        path = of(obj).path
        return any(p.startswith(path) for p in user.grant_paths(action))

    return Unless(label, check, message)


def role_on(roles: Iterable[str], of: OrgOf, label: str = "") -> Who:
    """A grant of one of `roles` on exactly `of(record)` (not an ancestor): the organization's
    own officers."""
    wanted = frozenset(roles)

    def check(user: Any, obj: Any) -> bool:
        if user is SYSTEM:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        org = of(obj)
        return any(g.organization_id == org.pk and g.role in wanted for g in user.grant_rows())

    return Who(label or f"{'/'.join(sorted(wanted))} on the organization", check)


def the_member(member_id: Callable[[Any], int | None], label: str = "the member themself") -> Who:
    """The member the record is about, signed in as themself."""

    def check(user: Any, obj: Any) -> bool:
        member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
        return member is not None and member.pk == member_id(obj)

    return Who(label, check)


def by_stamp(column: str, message: str | Promise, label: str = "") -> Unless:
    """Excludes the account stored in `column` (e.g. "not the proposer": `decided_by`)."""

    def check(user: Any, obj: Any) -> bool:
        return account_of(user) is not None and getattr(obj, f"{column}_id") == user.pk

    return Unless(label or f"not {column}", check, message)


def by_subject(member_id: Callable[[Any], int | None], message: str | Promise) -> Unless:
    """Excludes the member the record is about (nobody decides on their own case)."""
    return Unless("not the member concerned", the_member(member_id).check, message)


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    who: tuple[Who, ...]
    # Why an actor who is none of `who` is refused, naming who may (shown to the user); a
    # callable is given the record, to name the organization.
    refusal: "str | Promise | Callable[[Any], str]" = ""
    unless: tuple[Unless, ...] = ()
    # Each raises ValidationError to refuse; called with the locked record and the move's inputs.
    guards: tuple[Callable[[Any, "Inputs"], None], ...] = ()
    note: str = "optional"  # "optional" | "required" | "none"
    note_required_message: str | Promise = ""
    stamp: str = ""  # writes `<stamp>_by` and `<stamp>_at`
    # Writes only when, in this column, for a record that keeps no `…_by` column (the history
    # row names who): e.g. "closed_at".
    at: str = ""
    done: str | Promise = ""  # what the page says once the move is taken


@dataclass
class Inputs:
    """What the actor gave with the move."""

    note: str = ""
    extra: dict[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    """A record in one of `states` is due by its `column` (a date); `notify(record)` are the
    accounts reminded `days_before` the day and on it, with `title(record)`."""

    states: tuple[str, ...]
    column: str
    notify: Callable[[Any], Iterable[Any]]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    days_before: tuple[int, ...] = (7, 1, 0)
    # Who is reminded of many records at once (record pk → account ids), in one query, for
    # deadlines a whole province's organizations share; `notify` is then not called.
    notify_all: Callable[[Sequence[Any]], Mapping[int, Sequence[int]]] | None = None
    where: Mapping[str, Any] = dc_field(default_factory=dict)  # further lookups a due record meets

    def recipients(self, records: Sequence[Any]) -> Mapping[int, Sequence[int]]:
        if self.notify_all is not None:
            return self.notify_all(records)
        return {r.pk: [u if isinstance(u, int) else u.pk for u in self.notify(r)] for r in records}


@dataclass
class Workflow:
    model: type[models.Model]
    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]
    org: OrgOf  # the record's organization: audit path, event, history's scope
    audit: str  # audit action prefix: "<audit>.<move>"
    event: str = ""  # change event topic; the audit prefix when empty
    field: str = "state"
    gate: str = "change"  # the action that admits the actor to the record at all
    # Also admitted past the gate without the reach (the member a transfer is about, who may
    # withdraw their own request though their grants do not reach it).
    admit: Who | None = None
    note_field: str = "review_note"
    note_max: int = 200  # the note column's length
    related: Sequence[str] = ()  # select_related when locking
    audit_obj: Callable[[Any], Any] | None = None  # the row the audit entry names (default: the record)
    audit_changes: Callable[[Any], dict[str, Any]] | None = None
    event_on: Callable[[Any], date | None] | None = None
    deadlines: tuple[Deadline, ...] = ()
    back: Callable[[Any], str] | None = None  # the page a move made from a form returns to
    view_related: Sequence[str] = ()  # select_related when the move view reads the record
    register: bool = True  # False for a workflow that is not the model's own (tests)
    note_max_message: str | Promise = ""  # the refusal of a longer note, if not the kernel's words
    note_input: str = "note"  # the input a note refusal names (e.g. "reason", as a form calls it)
    stale_message: str | Promise = ""  # the refusal of a stale page, if not the kernel's words
    # The words for a move the state does not allow, when a record has always had its own; a
    # ValidationError returned is raised as it is (its own code per state).
    state_refusal: Callable[[Any], "str | ValidationError"] | None = None
    # Refusal codes as a record's callers have always known them (e.g. {"actor": "approver"}).
    codes: Mapping[str, str] = dc_field(default_factory=dict)
    # Called in the move's transaction once it is written, with the record, the state it left
    # and the move: what must change with it (e.g. stored counts), whichever caller moved it.
    after: Callable[[Any, str, Transition], None] | None = None
    by_name: dict[str, Transition] = dc_field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.transitions}
        if self.register:
            REGISTRY[self.model._meta.label_lower] = self

    # --- reading ---------------------------------------------------------------------------

    def table(self) -> dict[str, frozenset[str]]:
        """State → the states it may move to (every state present, the final ones empty)."""
        table: dict[str, set[str]] = {str(s): set() for s in self.states}
        for t in self.transitions:
            for s in t.source:
                table[s].add(t.target)
        return {s: frozenset(targets) for s, targets in table.items()}

    def allowed(self, user: Any, obj: Any) -> list[Transition]:
        """The moves `user` could take on `obj` now (for the buttons a page offers; the move
        itself checks again under the lock)."""
        state = getattr(obj, self.field)
        return [
            t
            for t in self.transitions
            if state in t.source
            and any(w(user, obj) for w in t.who)
            and not any(u.check(user, obj) for u in t.unless)
        ]

    def label(self, state: str) -> str:
        return str(self.states(state).label)

    # --- moving -----------------------------------------------------------------------------

    def lock(self, obj: Any) -> Any:
        manager = self.model._default_manager
        return manager.select_for_update(of=("self",)).select_related(*self.related).get(pk=obj.pk)

    def move(
        self,
        obj: Any,
        name: str,
        *,
        acting_user: Any,
        note: str = "",
        expected_version: int | None = None,
        fields: dict[str, Any] | None = None,
        changes: dict[str, list[Any]] | None = None,
        extra: dict[str, Any] | None = None,
        locked: bool = False,
    ) -> Any:
        """Take move `name` on `obj` (see the module's docstring); call inside a transaction
        (a `write_service`). Returns the locked, saved record."""
        transition = self.by_name[name]
        obj = obj if locked else self.lock(obj)
        if not self.admits(acting_user, obj):
            raise OutOfScope(f"{self.model._meta.label} {obj.pk}")
        self.check_version(obj, expected_version)
        self.check(transition, acting_user, obj)
        note = self.check_note(transition, note)
        inputs = Inputs(note=note, extra=extra or {})
        for guard in transition.guards:
            guard(obj, inputs)
        return self.write(obj, transition, acting_user, note, fields or {}, changes or {})

    def take(self, obj: Any, name: str, **kwargs: Any) -> Any:
        """`move` as a service of its own (atomic, and audited when refused), for callers that
        have no service function wrapping it (the generic move view)."""
        return write_service(f"{self.audit}.{name}")(self.move)(obj, name, **kwargs)

    def admits(self, user: Any, obj: Any) -> bool:
        """Whether `user` may act on `obj` at all (else: 404, its existence not confirmed)."""
        return in_scope(user, obj, self.gate) or bool(self.admit and self.admit(user, obj))

    def check_version(self, obj: Any, expected: int | None) -> None:
        if expected is not None and expected != obj.version:
            raise ValidationError(
                str(self.stale_message)
                or _("Someone changed this record after you opened it; reload the page and try again."),
                code="stale",
            )

    def check(self, transition: Transition, user: Any, obj: Any) -> None:
        state = getattr(obj, self.field)
        if state not in transition.source:
            message = (
                self.state_refusal(obj)
                if self.state_refusal
                else _("It is “%(state)s”; it cannot become “%(target)s”.")
                % {"state": self.label(state), "target": self.label(transition.target)}
            )
            if isinstance(message, ValidationError):
                raise message
            raise ValidationError(message, code=self.codes.get("transition", "transition"))
        if not any(w(user, obj) for w in transition.who):
            refusal = transition.refusal
            message = refusal(obj) if callable(refusal) else str(refusal)
            raise ValidationError(
                message or _("You may not take this step."), code=self.codes.get("actor", "actor")
            )
        for exclusion in transition.unless:
            if exclusion.check(user, obj):
                raise ValidationError(str(exclusion.message), code=self.codes.get("excluded", "excluded"))

    def check_note(self, transition: Transition, note: str) -> str:
        note = (note or "").strip()
        if transition.note == "required" and not note:
            message = transition.note_required_message or _("Give the reason.")
            raise ValidationError({self.note_input: str(message)})
        if len(note) > self.note_max:
            message = self.note_max_message or _("Keep the note to at most %(max)s characters.") % {
                "max": self.note_max
            }
            raise ValidationError({self.note_input: str(message)})
        return note if transition.note != "none" else ""

    def write(
        self,
        obj: Any,
        transition: Transition,
        acting_user: Any,
        note: str,
        fields: dict[str, Any],
        changes: dict[str, list[Any]],
    ) -> Any:
        from .models import StateChange  # the models module imports this one's registry users

        before = getattr(obj, self.field)
        values: dict[str, Any] = {self.field: transition.target, **fields}
        if transition.stamp:
            values[f"{transition.stamp}_by"] = account_of(acting_user)
            values[f"{transition.stamp}_at"] = timezone.now()
        if transition.at:
            values[transition.at] = timezone.now()
        if transition.note != "none" and self.note_field:
            values[self.note_field] = note
        for name, value in values.items():
            setattr(obj, name, value)
        update = list(values)
        if hasattr(obj, "version"):
            obj.version += 1
            update.append("version")
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update.append("updated_at")
        obj.save(update_fields=update)
        org = self.org(obj)
        StateChange.record(obj, transition.name, before, transition.target, acting_user, note, org.path)
        audit.record(
            f"{self.audit}.{transition.name}",
            actor=acting_user,
            obj=self.audit_obj(obj) if self.audit_obj else obj,
            org_path=org.path,
            changes={
                **(self.audit_changes(obj) if self.audit_changes else {}),
                self.field: [before, transition.target],
                **changes,
            },
            detail=note,
        )
        events.changed(self.event or self.audit, org.pk, self.event_on(obj) if self.event_on else None)
        if self.after is not None:
            self.after(obj, before, transition)
        return obj

    def started(self, obj: Any, acting_user: Any, note: str = "") -> None:
        """The history's first row for a record a service has just created in its first state."""
        from .models import StateChange

        StateChange.record(obj, "create", "", getattr(obj, self.field), acting_user, note, self.org(obj).path)


def attach_steps(rows: Sequence[Any]) -> None:
    """Give each record of one workflow its history as `record.steps` (one query for all):
    each step with `target_label`, the state it led to, for the page."""
    from .models import StateChange

    if not rows:
        return
    flow = workflow_of(rows[0])
    by_record: dict[int, list[Any]] = {row.pk: [] for row in rows}
    for step in StateChange.of_many(type(rows[0]), list(by_record)):
        step.target_label = flow.label(step.target)  # type: ignore[attr-defined]
        by_record[step.object_id].append(step)
    for row in rows:
        row.steps = by_record[row.pk]


def workflow_of(obj_or_model: Any) -> Workflow:
    return REGISTRY[obj_or_model._meta.label_lower]


def due_reminders(
    today: date, flows: Iterable[Workflow] | None = None
) -> Iterable[tuple[Workflow, Deadline, Any, int]]:
    """(workflow, deadline, record, days left) for every record whose deadline is `today` or
    one of its reminder days ahead; of every registered workflow unless `flows` are given."""
    for flow in REGISTRY.values() if flows is None else flows:
        for deadline in flow.deadlines:
            days = sorted(set(deadline.days_before))
            dates = [date.fromordinal(today.toordinal() + d) for d in days]
            rows = flow.model._default_manager.filter(
                **{f"{flow.field}__in": deadline.states, f"{deadline.column}__in": dates}, **deadline.where
            ).select_related(*flow.related)
            for obj in rows:
                left = getattr(obj, deadline.column).toordinal() - today.toordinal()
                yield flow, deadline, obj, left
