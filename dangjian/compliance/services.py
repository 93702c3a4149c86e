"""Loading a rule set: the only write of the rule data, audited; results follow by recompute."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.scoping import SYSTEM, in_scope
from dangjian.core.services import account_of, write_service
from dangjian.organizations.models import Organization

from . import schema
from .models import Rule, RuleSet


@write_service("compliance.ruleset.load")
def load_rule_set(text: str, *, source_name: str = "", acting_user: Any) -> tuple[RuleSet, bool]:
    """Validate `text` and store it as the next version of its code, which becomes the active
    one. Returns (rule set, created); loading a file identical to the active version creates
    nothing. A rule set for the whole installation (no scope) is loaded from the console; one
    for an organization's subtree by whoever may change that organization."""
    parsed = schema.parse(text)
    scope = None
    if parsed.scope is not None:
        scope = Organization.objects.filter(code=parsed.scope).first()
        if scope is None:
            raise ValidationError(_("scope: no organization has the code %(code)s.") % {"code": parsed.scope})
    if acting_user is not SYSTEM and (scope is None or not in_scope(acting_user, scope, "change")):
        raise ValidationError(_("You may only load rule sets for organizations you manage."))
    latest = RuleSet.objects.select_for_update().filter(code=parsed.code).order_by("-version").first()
    if (
        latest is not None
        and acting_user is not SYSTEM
        and (latest.scope is None or not in_scope(acting_user, latest.scope, "change"))
    ):
        # A new version replaces the active one: nobody may replace a set they could not load.
        raise ValidationError(
            _(
                'The code "%(code)s" belongs to a rule set loaded for another part of the tree; '
                "give this file a code of its own."
            )
            % {"code": parsed.code}
        )
    if latest is not None and latest.source == text and latest.active:
        return latest, False
    RuleSet.objects.filter(code=parsed.code, active=True).update(active=False)
    rule_set = RuleSet.objects.create(
        code=parsed.code,
        version=(latest.version + 1) if latest else 1,
        name=parsed.name,
        year=parsed.year,
        scope=scope,
        settings=parsed.settings,
        source=text,
        source_name=source_name[:200],
        loaded_by=account_of(acting_user),
    )
    Rule.objects.bulk_create(
        Rule(
            rule_set=rule_set,
            code=r.code,
            position=i,
            point=r.point,
            title=r.title,
            title_en=r.title_en,
            kind=r.kind,
            spec=r.spec,
        )
        for i, r in enumerate(parsed.rules)
    )
    audit.record(
        "compliance.ruleset.load",
        actor=acting_user,
        obj=rule_set,
        org_path=scope.path if scope else "",
        changes={
            "version": [latest.version if latest else None, rule_set.version],
            "rules": len(parsed.rules),
        },
    )
    transaction.on_commit(lambda: _queue_recompute(rule_set))
    return rule_set, True


def _queue_recompute(rule_set: RuleSet) -> None:
    from django.utils import timezone

    from .tasks import recompute_task

    recompute_task(rule_set.year or timezone.localdate().year)
