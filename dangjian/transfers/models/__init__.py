"""Member movement and status records: transfers, floating members, lost contact, probation."""

from .floating import FloatingRecord, FloatingState
from .lost_contact import (
    CaseOutcome,
    CaseState,
    LostContactCase,
    SearchLogEntry,
    SearchMethod,
)
from .probation import (
    EXTENSION_MONTHS,
    DecisionState,
    ProbationDecision,
    ProbationOutcome,
)
from .transfer import (
    LETTER_VALID_DAYS,
    OPEN_TRANSFER_STATES,
    Transfer,
    TransferState,
)

__all__ = [
    "EXTENSION_MONTHS",
    "LETTER_VALID_DAYS",
    "OPEN_TRANSFER_STATES",
    "CaseOutcome",
    "CaseState",
    "DecisionState",
    "FloatingRecord",
    "FloatingState",
    "LostContactCase",
    "ProbationDecision",
    "ProbationOutcome",
    "SearchLogEntry",
    "SearchMethod",
    "Transfer",
    "TransferState",
]
