"""All writes of this app. Views, the API, the CLI and tests call these functions."""

from .floating import record_return, register_floating, reveal_contact, update_floating
from .lost_contact import close_case, log_search, open_case
from .probation import approve_decision, record_decision, reject_decision
from .transfers import (
    accept_transfer,
    approve_request,
    cancel_transfer,
    reject_transfer,
    request_transfer,
    start_transfer,
)

__all__ = [
    "accept_transfer",
    "approve_decision",
    "approve_request",
    "cancel_transfer",
    "close_case",
    "log_search",
    "open_case",
    "record_decision",
    "record_return",
    "register_floating",
    "reject_decision",
    "reject_transfer",
    "request_transfer",
    "reveal_contact",
    "start_transfer",
    "update_floating",
]
