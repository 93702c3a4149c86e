from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from dangjian.organizations.models import Organization


def org_by_code(code: str) -> Organization:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise CommandError(f"No organization with code {code!r}.")
    return org


def explain(exc: ValidationError) -> CommandError:
    if hasattr(exc, "error_dict"):
        text = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    else:
        text = "; ".join(exc.messages)
    return CommandError(text)
