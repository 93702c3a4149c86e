"""Reminders of workflow deadlines (`core.workflow.Deadline`): every record still in a state with
a due date is reminded to its responsible accounts some days before the day and on it, through the
same pipeline as every other notification (inbox first, then the user's channels)."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from dangjian.core.workflow import Deadline, Workflow, due_reminders

from .services import Message, notify_many, platform_language


def send_deadline_reminders(today: date) -> int:
    """One notification per account, record and reminder day (idempotent: the key names all
    three, so a second run the same day sends nothing). Returns how many were created."""
    messages = []
    groups: dict[tuple[int, int], list[tuple[Workflow, Deadline, Any, int]]] = {}
    for item in due_reminders(today):
        groups.setdefault((id(item[0]), id(item[1])), []).append(item)
    with platform_language():
        for items in groups.values():
            deadline = items[0][1]
            recipients = deadline.recipients([record for _flow, _deadline, record, _left in items])
            for flow, _deadline, record, left in items:
                users = list(recipients.get(record.pk, ()))
                if users:
                    messages.append(_message(flow, deadline, record, left, users))
    return notify_many(messages)


def _message(flow: Workflow, deadline: Deadline, record: Any, left: int, users: list[int]) -> Message:
    due = getattr(record, deadline.column)
    state = getattr(record, flow.field)
    when = (
        _("due today")
        if left == 0
        else _("due in %(days)s days (%(date)s)") % {"days": left, "date": due.isoformat()}
    )
    return Message(
        user_ids=users,
        kind=f"deadline.{flow.audit}",
        key=f"deadline:{flow.model._meta.label_lower}:{record.pk}:{state}:{due}:{left}",
        title=f"{deadline.title(record)}: {when}",
        url=deadline.url(record),
    )
