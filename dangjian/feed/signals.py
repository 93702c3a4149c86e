"""The feed follows its sources: after a source record is saved, its item is written in the same
transaction (so a rolled-back write leaves no item). Writes done with `QuerySet.update` or
`bulk_create` send no signal; the backfill command catches those records up."""

from typing import Any

from django.db.models.signals import post_save


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loading fixtures
        return
    from . import services

    services.sync(instance)


def connect() -> None:
    from . import sources

    for model in sources.SOURCES:
        post_save.connect(_saved, sender=model, dispatch_uid=f"feed.sync.{model._meta.label_lower}")
