"""One gate: no model's queryset overrides `restrict`; every scoped model declares how its rows
are placed (`core.scoping.Scope`), and the declarations it reads are the ones documented."""

import pytest
from django.apps import apps

from dangjian.core.scoping import Scope, ScopedQuerySet


def _scoped_models() -> list[type]:
    found = []
    for model in apps.get_models():
        queryset = model._default_manager.get_queryset()
        if isinstance(queryset, ScopedQuerySet):
            found.append(model)
    return found


def test_every_scoped_model_goes_through_the_one_restrict() -> None:
    models = _scoped_models()
    assert len(models) > 30
    for model in models:
        queryset = model._default_manager.get_queryset()
        assert type(queryset).restrict is ScopedQuerySet.restrict, model._meta.label
        assert Scope.of(model).fields or Scope.of(model).user_field, model._meta.label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("transfers.Transfer", {"fields": ("from_org__path", "to_org__path")}),
        ("transfers.FloatingRecord", {"fields": ("home_org__path", "managing_org__path")}),
        ("rectification.Problem", {"own_field": "member", "own_reach": "change"}),
        ("notifications.Notification", {"user_field": "user"}),
        ("notifications.Delivery", {"user_field": "notification__user"}),
        ("core.AuditEntry", {"fields": ("org_path",), "unplaced_at_top": True}),
    ],
)
def test_the_declarations_read(label: str, expected: dict[str, object]) -> None:
    scope = Scope.of(apps.get_model(label))
    assert {name: getattr(scope, name) for name in expected} == expected


def test_the_discussion_reads_its_own_reach() -> None:
    from dangjian.discussion.access import reach

    assert Scope.of(apps.get_model("discussion.Thread")).reach is reach
