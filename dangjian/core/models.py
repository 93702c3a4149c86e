"""The audit log: append-only, written only by the service layer."""

from typing import Any, NoReturn

from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import chain
from .scoping import ScopedQuerySet


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(ScopedQuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("The audit log is append-only.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["AuditEntry"]:  # type: ignore[override]
        """Many entries in one transaction, chained in the order given (one head lookup)."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            chain.chain(chain.head(self.db), objs)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No foreign key: the log must outlive (and never cascade with) the accounts it names.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # Where in the tree the event happened: audit administrators read their subtree.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    success = models.BooleanField(_("succeeded"), default=True)
    detail = models.TextField(_("detail"), blank=True)
    # The hash chain (core/chain.py): the previous entry's `hash`, and this entry's HMAC over its
    # fields and `prev_hash`. `dangjian audit verify` walks it.
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()
    scope_path_field = "org_path"
    # An audit administrator of a top organization (a grant on a root node) also reads the
    # entries that belong to no organization (logins of unknown usernames, console actions).
    scope_unplaced_at_top = True

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # Held until the surrounding transaction commits: the next writer waits for this link.
        with transaction.atomic(using=using, savepoint=False):
            chain.chain(chain.head(using), [self])
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")


class StateChange(models.Model):
    """One move of a workflow (`core.workflow`): the record's history as its readers see it.
    Whoever may read the record reads its moves; the audit log keeps the same with the actor's
    address, for the audit administrators."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    move = models.CharField(_("step"), max_length=32)
    source = models.CharField(_("from"), max_length=32, blank=True)
    target = models.CharField(_("to"), max_length=32)
    at = models.DateTimeField(_("time"), default=timezone.now)
    # No foreign key, as in the audit log: the history outlives the accounts it names.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    org_path = models.CharField(max_length=255, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org_path"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("step taken")
        verbose_name_plural = _("steps taken")
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="state_change_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.move} {self.source}→{self.target}"

    @classmethod
    def record(
        cls, obj: models.Model, move: str, source: str, target: str, actor: Any, note: str, org_path: str
    ) -> "StateChange":
        from django.contrib.contenttypes.models import ContentType

        account = actor if getattr(actor, "pk", None) else None
        name = (account.get_full_name() or account.get_username()) if account is not None else "system"
        return cls.objects.create(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            move=move,
            source=source,
            target=target,
            actor_id=account.pk if account is not None else None,
            actor_name=name[:150],
            note=note,
            org_path=org_path,
        )

    @classmethod
    def of(cls, obj: models.Model) -> "models.QuerySet[StateChange]":
        """The record's moves, oldest first (the caller has already checked the record is readable)."""
        return cls.of_many(type(obj), [obj.pk])

    @classmethod
    def of_many(cls, model: type[models.Model], pks: list[Any]) -> "models.QuerySet[StateChange]":
        from django.contrib.contenttypes.models import ContentType

        return cls.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
