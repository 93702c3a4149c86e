"""All writes to member development: registering an application (`application`), recording a
step and the stage move it makes (`record`), the admission's vote and approval (`admission`),
the yearly development plan the approval is checked against (`plan`), the person's own account
(`account`)."""

from .account import issue_account
from .application import answer_objection, end_development, record_objection, register_application
from .plan import set_plan, set_plans
from .record import record_step

__all__ = [
    "answer_objection",
    "end_development",
    "issue_account",
    "record_objection",
    "record_step",
    "register_application",
    "set_plan",
    "set_plans",
]
