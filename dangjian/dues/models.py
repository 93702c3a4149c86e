"""Party dues records: each member's dues profile (history), approved reductions, and payments.

Every row hangs from a member and is placed in the tree by the member's *current* organization
(`member__organization__path`): when a member transfers, their dues record moves with them and
the new branch's secretary keeps it.

Months are stored as their first day (see `months.py`); money as DecimalField(12, 2).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .months import months_between, period_label
from .rules import FARMER_MAX, FARMER_MIN, DuesCategory


class DuesProfile(models.Model):
    """What a member pays on, from `effective_from` on. Never edited: a change is a new row,
    so the dues of any past month are computed from the profile then in force (the latest with
    `effective_from` ≤ that month, ties broken by id)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="dues_profiles", verbose_name=_("member")
    )
    category = models.CharField(_("dues category"), max_length=16, choices=DuesCategory.choices)
    base = models.DecimalField(
        _("monthly base (after tax)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    fixed_amount = models.DecimalField(
        _("fixed monthly amount"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    effective_from = models.DateField(_("effective from (month)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("dues profile")
        verbose_name_plural = _("dues profiles")
        ordering = ["member_id", "-effective_from", "-id"]
        indexes = [models.Index(fields=["member", "effective_from"], name="dues_profile_member_idx")]
        constraints = [
            # The services refuse these with a message; the database keeps them out regardless.
            models.CheckConstraint(
                condition=Q(base__isnull=True) | Q(base__gt=0), name="dues_profile_base_positive"
            ),
            models.CheckConstraint(
                condition=Q(fixed_amount__isnull=True)
                | Q(fixed_amount__gte=FARMER_MIN, fixed_amount__lte=FARMER_MAX),
                name="dues_profile_fixed_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.category} {self.effective_from:%Y-%m}"


class ReductionState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DuesReduction(models.Model):
    """少交免交: a member in real difficulty pays `amount` a month (0 = exempt) for the months
    `month_from`–`month_to`, decided by the branch and approved by the committee one level up.
    Only an approved reduction changes what is due, and never raises it (the lower amount wins)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="dues_reductions", verbose_name=_("member")
    )
    # The branch that decided: its parent is the committee that approves.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("deciding branch")
    )
    month_from = models.DateField(_("first month"))
    month_to = models.DateField(_("last month"))
    amount = models.DecimalField(_("monthly amount (0 = exempt)"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=12, choices=ReductionState.choices, default=ReductionState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    review_note = models.CharField(_("approver's note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("dues reduction or exemption")
        verbose_name_plural = _("dues reductions and exemptions")
        ordering = ["-month_from", "-id"]
        indexes = [models.Index(fields=["member", "state", "month_from"], name="dues_reduction_member_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_reduction_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(month_from__lte=models.F("month_to")), name="dues_reduction_months_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month_from:%Y-%m}–{self.month_to:%Y-%m} {self.amount}"

    @property
    def is_exemption(self) -> bool:
        return self.amount == Decimal(0)

    @property
    def period(self) -> str:
        return period_label(self.month_from, self.month_to)


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("Dues")
    VOLUNTARY = "voluntary", _("Voluntary extra")
    LARGE_VOLUNTARY = "large_voluntary", _("Large voluntary payment (1000 or more)")


class DuesPayment(models.Model):
    """One payment, with its receipt. A regular payment covers `period_from`–`period_to`
    (one month, a quarter, or a back payment) and must equal the dues of those months; a
    voluntary one names the month it was paid in. A mistaken entry is voided, never deleted."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="dues_payments", verbose_name=_("member")
    )
    period_from = models.DateField(_("first month"))
    period_to = models.DateField(_("last month"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    kind = models.CharField(
        _("kind of payment"), max_length=16, choices=PaymentKind.choices, default=PaymentKind.REGULAR
    )
    paid_on = models.DateField(_("paid on"))
    paid_by_proxy = models.CharField(_("paid on the member's behalf by"), max_length=50, blank=True)
    receipt_no = models.CharField(_("receipt number"), max_length=32)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-period_from", "-id"]
        indexes = [
            models.Index(fields=["member", "kind", "period_to"], name="dues_payment_member_idx"),
        ]
        constraints = [
            # A retried request (same member, month and receipt) is refused, so nothing is
            # counted twice; a voided entry no longer blocks recording it correctly.
            models.UniqueConstraint(
                fields=["member", "period_from", "receipt_no"],
                condition=Q(voided_at__isnull=True),
                name="dues_payment_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_from__lte=models.F("period_to")), name="dues_payment_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.period_from:%Y-%m}–{self.period_to:%Y-%m} {self.amount}"

    @property
    def months(self) -> int:
        return months_between(self.period_from, self.period_to) + 1

    @property
    def period(self) -> str:
        return period_label(self.period_from, self.period_to)


class PaymentInstructions(models.Model):
    """How the members of an organization pay their dues (交纳方式): cash to the organizer, a
    transfer to the organization's collection account, a QR code of that account, notes. Set by
    a branch (or by a committee for every branch below it that has none of its own); the
    account is the organization's, never a member's personal data. The QR image is stored under
    a random name and served only by a scoped view (`views.payment_qr`)."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="payment_instructions",
        verbose_name=_("organization"),
    )
    cash = models.BooleanField(_("cash to the organizer"), default=False)
    cash_contact = models.CharField(_("whom to pay in cash, and when"), max_length=100, blank=True)
    transfer = models.BooleanField(_("bank transfer"), default=False)
    account_name = models.CharField(_("account name"), max_length=100, blank=True)
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    account_number = models.CharField(_("account number"), max_length=40, blank=True)
    qr_image = models.CharField(_("QR code of the collection account"), max_length=200, blank=True)
    qr_type = models.CharField(max_length=40, blank=True)
    notes = models.TextField(_("notes"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("how to pay dues")
        verbose_name_plural = _("how to pay dues")

    def __str__(self) -> str:
        return f"{self.organization_id} payment instructions"

    @property
    def is_empty(self) -> bool:
        return not (self.cash or self.transfer or self.qr_image or self.notes.strip())
