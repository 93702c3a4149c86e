"""All writes to dues records: profiles, payments (and voiding one), reductions and their approval.

Each service is atomic, checks the acting user's scope, refuses bad input with a ValidationError
keyed by field (so the form, the API and the CLI show it where it belongs), and writes the audit
entry — on the member, so a member's history shows their dues, with the record's id in the
changes; a refusal is audited by `write_service`.

Payment rules (decisions, see docs/dues.md):
- A regular payment covers whole months, from `period_from` to `period_to`, and must equal the
  dues of those months exactly (anything more is a separate voluntary payment), so a month is
  either paid or not.
- Not before the month the member joined; not beyond the end of the current quarter, nor of the
  quarter of the payment date when it is recorded later (a member paying quarterly pays the
  quarter ahead, with the branch's consent — recording it is that consent); back payments reach
  at most 6 months before the current month unless a reason is recorded (old paper records, a
  transfer); at most 12 months in one payment.
- Regular payments never overlap. The same member, first month and receipt number is refused
  as already recorded, so a retried request never counts twice (also a database constraint).
- A voluntary payment names the month it was paid in (one month, that of `paid_on`); 1000 or
  more is recorded as a large voluntary payment (大额党费) whatever kind was asked for.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.dates import add_months
from dangjian.core.services import account_of as _account
from dangjian.core.services import require_scope, write_service
from dangjian.members.models import Member

from .models import (
    DuesPayment,
    DuesProfile,
    DuesReduction,
    PaymentKind,
    ReductionState,
)
from .months import is_month, label, month_start, months_between, period_label, quarter_end
from .queries import DUES_STATUSES, member_dues
from .rules import LARGE_VOLUNTARY, check_money, monthly_dues
from .workflows import REDUCTION_FLOW

BACK_PAYMENT_MONTHS = 6
MAX_PAYMENT_MONTHS = 12
MAX_REDUCTION_MONTHS = 12
REDUCTION_AHEAD_MONTHS = 12
PROFILE_AHEAD_MONTHS = 12


def _locked_member(member: Member) -> Member:
    # Serializes concurrent writes for one member (overlap checks); SQLite writes serialize anyway.
    return Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)


def _owes_dues(member: Member, errors: dict[str, Any]) -> None:
    if member.status not in DUES_STATUSES:
        errors["member"] = _("This member owes no dues (membership suspended or left the Party).")


def _money(value: Any, field: str, errors: dict[str, Any], *, allow_zero: bool = False) -> Decimal | None:
    if not isinstance(value, Decimal):
        errors[field] = _("Enter an amount in yuan, e.g. 8000 or 8000.50.")
        return None
    try:
        return check_money(value, field, allow_zero=allow_zero)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _months(first: Any, last: Any, errors: dict[str, Any], names: tuple[str, str]) -> bool:
    """True when `first`..`last` are months in order; otherwise the error is added."""
    for value, name in ((first, names[0]), (last, names[1])):
        if not isinstance(value, date) or not is_month(value):
            errors[name] = _("Enter a month as YYYY-MM, e.g. 2026-11.")
    if names[0] in errors or names[1] in errors:
        return False
    if first > last:
        errors[names[1]] = _("The last month cannot be before the first.")
        return False
    return True


# --- profiles ---------------------------------------------------------------------------------


@write_service("dues_profile.set")
def set_profile(
    member: Member,
    category: str,
    *,
    base: Decimal | None = None,
    fixed_amount: Decimal | None = None,
    effective_from: date,
    acting_user: Any,
    today: date | None = None,
) -> DuesProfile:
    """Record what the member pays on from `effective_from` (a month) on; earlier months keep
    the profile then in force."""
    member = _locked_member(member)
    require_scope(acting_user, member, "change")
    this_month = month_start(today or timezone.localdate())
    errors: dict[str, Any] = {}
    _owes_dues(member, errors)
    if not isinstance(effective_from, date) or not is_month(effective_from):
        errors["effective_from"] = _("Enter a month as YYYY-MM, e.g. 2026-11.")
    elif effective_from > add_months(this_month, PROFILE_AHEAD_MONTHS):
        errors["effective_from"] = _("A profile can take effect at most 12 months ahead.")
    try:
        quote = monthly_dues(category, base, fixed_amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    profile = DuesProfile.objects.create(
        member=member,
        category=category,
        base=base,
        fixed_amount=fixed_amount,
        effective_from=effective_from,
        set_by=_account(acting_user),
    )
    audit.record(
        "dues_profile.set",
        actor=acting_user,
        obj=member,
        org_path=member.organization.path,
        changes={
            "profile": [None, profile.pk],
            "category": [None, category],
            "base": [None, str(base) if base is not None else None],
            "fixed_amount": [None, str(fixed_amount) if fixed_amount is not None else None],
            "effective_from": [None, label(effective_from)],
            "monthly_dues": [None, str(quote.amount)],
        },
    )
    events.changed("dues_profile.set", member.organization.pk)
    return profile


# --- payments ---------------------------------------------------------------------------------


def _period_errors(
    member: Member, kind: str, first: date, last: date, today: date, paid_on: date, late_reason: str
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    this_month, paid_month = month_start(today), month_start(paid_on)
    joined = month_start(member.join_date)
    if first < joined:
        errors["period_from"] = _("The member joined in %(month)s; dues start from that month.") % {
            "month": label(joined)
        }
    earliest = add_months(this_month, -BACK_PAYMENT_MONTHS)
    if first < earliest and not late_reason and "period_from" not in errors:
        errors["period_from"] = _(
            "A back payment reaches at most 6 months back (to %(month)s); give the reason to record an "
            "older one."
        ) % {"month": label(earliest)}
    if kind != PaymentKind.REGULAR:
        if last > this_month:
            errors["period_to"] = _("A voluntary payment cannot be for a future month.")
        elif first != last:
            errors["period_to"] = _("A voluntary payment names one month: the month it was paid.")
        elif first != paid_month and "period_from" not in errors:
            errors["period_from"] = _("A voluntary payment is for the month it was paid in (%(month)s).") % {
                "month": label(paid_month)
            }
    elif last > quarter_end(this_month):
        errors["period_to"] = _(
            "Dues can be paid ahead only to the end of the current quarter (%(month)s)."
        ) % {"month": label(quarter_end(this_month))}
    elif last > quarter_end(paid_month):  # recorded later than paid: ahead from the payment date
        errors["period_to"] = _("Paid on %(day)s, dues could be paid ahead only to %(month)s.") % {
            "day": paid_on.isoformat(),
            "month": label(quarter_end(paid_month)),
        }
    elif months_between(first, last) + 1 > MAX_PAYMENT_MONTHS:
        errors["period_to"] = _("One payment covers at most 12 months.")
    return errors


def _check_dues(member: Member, first: date, last: date, amount: Decimal) -> None:
    dues = member_dues(member, first, last)
    missing = [d.month for d in dues if d.amount is None]
    if missing:
        raise ValidationError(
            {
                "period_from": _(
                    "No dues profile is in force for %(month)s: set the member's dues profile first."
                )
                % {"month": label(missing[0])}
            },
            code="no_profile",
        )
    expected = sum((d.amount for d in dues if d.amount is not None), Decimal("0.00"))
    if expected == 0:
        raise ValidationError({"period_from": _("Nothing is due for these months (exempt).")}, code="exempt")
    if amount != expected:
        raise ValidationError(
            {
                "amount": _(
                    "The dues for %(period)s are %(expected)s; record exactly that (anything more as a "
                    "voluntary payment)."
                )
                % {"period": period_label(first, last), "expected": expected}
            },
            code="amount",
        )


@write_service("dues_payment.create")
def record_payment(
    member: Member,
    *,
    period_from: date,
    period_to: date,
    amount: Decimal,
    receipt_no: str,
    kind: str = PaymentKind.REGULAR,
    paid_on: date | None = None,
    paid_by_proxy: str = "",
    late_reason: str = "",
    acting_user: Any,
    today: date | None = None,
) -> DuesPayment:
    """Record one payment with its receipt (rules in the module docstring)."""
    member = _locked_member(member)
    require_scope(acting_user, member, "change")
    today = today or timezone.localdate()
    receipt_no, paid_by_proxy, late_reason = receipt_no.strip(), paid_by_proxy.strip(), late_reason.strip()
    paid_on = paid_on or today
    errors: dict[str, Any] = {}
    _owes_dues(member, errors)
    if not receipt_no:
        errors["receipt_no"] = _("Enter the receipt number.")
    elif len(receipt_no) > 32:
        errors["receipt_no"] = _("A receipt number has at most 32 characters.")
    if len(paid_by_proxy) > 50:
        errors["paid_by_proxy"] = _("Give a name of at most 50 characters.")
    if len(late_reason) > 200:
        errors["late_reason"] = _("Give the reason in at most 200 characters.")
    if kind not in PaymentKind.values:
        errors["kind"] = _("Choose a valid kind of payment.")
    if paid_on > today:
        errors["paid_on"] = _("The payment date cannot be in the future.")
    checked = _money(amount, "amount", errors)
    months_ok = _months(period_from, period_to, errors, ("period_from", "period_to"))
    if errors or checked is None or not months_ok:
        raise ValidationError(errors)
    amount = checked
    if DuesPayment.objects.filter(
        member=member, period_from=period_from, receipt_no=receipt_no, voided_at__isnull=True
    ).exists():
        raise ValidationError(
            {"receipt_no": _("This payment (same member, month and receipt) is already recorded.")},
            code="duplicate",
        )
    if kind == PaymentKind.VOLUNTARY and amount >= LARGE_VOLUNTARY:
        kind = PaymentKind.LARGE_VOLUNTARY  # recorded separately, whatever was asked
    elif kind == PaymentKind.LARGE_VOLUNTARY and amount < LARGE_VOLUNTARY:
        raise ValidationError({"kind": _("A voluntary payment under 1000 is not a large one.")})
    errors = _period_errors(member, kind, period_from, period_to, today, paid_on, late_reason)
    if errors:
        raise ValidationError(errors)
    if kind == PaymentKind.REGULAR:
        overlap = (
            DuesPayment.objects.filter(
                member=member,
                kind=PaymentKind.REGULAR,
                voided_at__isnull=True,
                period_from__lte=period_to,
                period_to__gte=period_from,
            )
            .order_by("period_from")
            .first()
        )
        if overlap is not None:
            raise ValidationError(
                {
                    "period_from": _("%(period)s is already paid (receipt %(receipt)s).")
                    % {
                        "period": period_label(overlap.period_from, overlap.period_to),
                        "receipt": overlap.receipt_no,
                    }
                },
                code="overlap",
            )
        _check_dues(member, period_from, period_to, amount)
    try:
        with transaction.atomic():  # a savepoint: a racing duplicate reads as the same refusal
            payment = DuesPayment.objects.create(
                member=member,
                period_from=period_from,
                period_to=period_to,
                amount=amount,
                kind=kind,
                paid_on=paid_on,
                paid_by_proxy=paid_by_proxy,
                receipt_no=receipt_no,
                note=late_reason,
                recorded_by=_account(acting_user),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"receipt_no": _("This payment (same member, month and receipt) is already recorded.")},
            code="duplicate",
        ) from exc
    audit.record(
        "dues_payment.create",
        actor=acting_user,
        obj=member,
        org_path=member.organization.path,
        changes={
            "payment": [None, payment.pk],
            "period": [None, f"{label(period_from)}..{label(period_to)}"],
            "amount": [None, str(amount)],
            "kind": [None, kind],
            "receipt_no": [None, receipt_no],
            "paid_by_proxy": [None, paid_by_proxy],
        },
        detail=late_reason,
    )
    events.changed("dues_payment.create", member.organization.pk)
    return payment


@write_service("dues_payment.void")
def void_payment(payment: DuesPayment, reason: str, *, acting_user: Any) -> DuesPayment:
    """Mark a mistaken entry void (it stays on record, no longer counts, and frees its receipt)."""
    payment = (
        DuesPayment.objects.select_for_update(of=("self",))
        .select_related("member__organization")
        .get(pk=payment.pk)
    )
    require_scope(acting_user, payment, "change")
    reason = reason.strip()
    if payment.voided_at is not None:
        raise ValidationError(_("This payment is already void."), code="transition")
    if not reason or len(reason) > 200:
        raise ValidationError({"reason": _("Give the reason for voiding, in at most 200 characters.")})
    payment.voided_at = timezone.now()
    payment.voided_by = _account(acting_user)
    payment.void_reason = reason
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.record(
        "dues_payment.void",
        actor=acting_user,
        obj=payment.member,
        org_path=payment.member.organization.path,
        changes={"payment": [payment.pk, None], "voided": [None, str(payment)]},
        detail=reason,
    )
    events.changed("dues_payment.void", payment.member.organization.pk)
    return payment


# --- reductions and exemptions ----------------------------------------------------------------


@write_service("dues_reduction.propose")
def propose_reduction(
    member: Member,
    *,
    month_from: date,
    month_to: date,
    amount: Decimal,
    reason: str,
    acting_user: Any,
    today: date | None = None,
) -> DuesReduction:
    """The branch decides that a member in real difficulty pays `amount` a month (0: nothing);
    it takes effect once the committee one level up approves it."""
    member = _locked_member(member)
    require_scope(acting_user, member, "change")
    reason = reason.strip()
    errors: dict[str, Any] = {}
    _owes_dues(member, errors)
    if not reason:
        errors["reason"] = _("Give the reason: the member's difficulty.")
    if member.organization.depth <= 1:
        errors["member"] = _("The member's organization has no committee above it to approve.")
    checked = _money(amount, "amount", errors, allow_zero=True)
    if _months(month_from, month_to, errors, ("month_from", "month_to")):
        if months_between(month_from, month_to) + 1 > MAX_REDUCTION_MONTHS:
            errors["month_to"] = _("A reduction covers at most 12 months; propose it again after that.")
        if month_from < month_start(member.join_date):
            errors["month_from"] = _("The member had not joined yet in %(month)s.") % {
                "month": label(month_from)
            }
        elif month_from > add_months(month_start(today or timezone.localdate()), REDUCTION_AHEAD_MONTHS):
            errors["month_from"] = _("A reduction can start at most 12 months ahead.")
    if errors or checked is None:
        raise ValidationError(errors)
    overlap = DuesReduction.objects.filter(
        member=member,
        state__in=[ReductionState.PROPOSED, ReductionState.APPROVED],
        month_from__lte=month_to,
        month_to__gte=month_from,
    ).first()
    if overlap is not None:
        raise ValidationError(
            {
                "month_from": _("A reduction for %(period)s is already %(state)s.")
                % {
                    "period": period_label(overlap.month_from, overlap.month_to),
                    "state": overlap.get_state_display(),  # type: ignore[attr-defined]
                }
            }
        )
    reduction = DuesReduction.objects.create(
        member=member,
        organization=member.organization,
        month_from=month_from,
        month_to=month_to,
        amount=checked,
        reason=reason,
        decided_by=_account(acting_user),
    )
    audit.record(
        "dues_reduction.propose",
        actor=acting_user,
        obj=member,
        org_path=member.organization.path,
        changes={
            "reduction": [None, reduction.pk],
            "months": [None, f"{label(month_from)}..{label(month_to)}"],
            "amount": [None, str(checked)],
        },
        detail=reason,
    )
    events.changed("dues_reduction.propose", member.organization.pk)
    REDUCTION_FLOW.started(reduction, acting_user, reason)
    return reduction


@write_service("dues_reduction.approve")
def approve_reduction(
    reduction: DuesReduction, *, note: str = "", acting_user: Any, expected_version: int | None = None
) -> DuesReduction:
    return REDUCTION_FLOW.move(
        reduction, "approve", note=note, acting_user=acting_user, expected_version=expected_version
    )


@write_service("dues_reduction.reject")
def reject_reduction(
    reduction: DuesReduction, *, note: str, acting_user: Any, expected_version: int | None = None
) -> DuesReduction:
    return REDUCTION_FLOW.move(
        reduction, "reject", note=note, acting_user=acting_user, expected_version=expected_version
    )
