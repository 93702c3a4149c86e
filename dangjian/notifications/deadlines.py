"""Reminders of workflow deadlines (`core.workflow.Deadline`): every record still in a state with
a due date is reminded to its responsible accounts some days before the day and on it, through the
same pipeline as every other notification (inbox first, then the user's channels)."""

from datetime import date

from django.utils.translation import gettext as _

from dangjian.core.workflow import due_reminders

from .services import Message, notify_many, platform_language


def send_deadline_reminders(today: date) -> int:
    """One notification per account, record and reminder day (idempotent: the key names all
    three, so a second run the same day sends nothing). Returns how many were created."""
    messages = []
    with platform_language():
        for flow, deadline, record, left in due_reminders(today):
            users = [u if isinstance(u, int) else u.pk for u in deadline.notify(record)]
            if not users:
                continue
            due = getattr(record, deadline.column)
            state = getattr(record, flow.field)
            when = (
                _("due today")
                if left == 0
                else _("due in %(days)s days (%(date)s)")
                % {
                    "days": left,
                    "date": due.isoformat(),
                }
            )
            messages.append(
                Message(
                    user_ids=users,
                    kind=f"deadline.{flow.audit}",
                    key=f"deadline:{flow.model._meta.label_lower}:{record.pk}:{state}:{due}:{left}",
                    title=f"{deadline.title(record)}: {when}",
                    url=deadline.url(record),
                )
            )
    return notify_many(messages)
