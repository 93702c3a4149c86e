"""Model fields that keep personal data encrypted in the database, and the account stamp every
workflow record carries."""

from typing import Any

from django.db import models

from .crypto import get_cipher


class EncryptedTextField(models.TextField):
    """Stores `kid$ciphertext`; Python code only ever sees the plaintext.

    Not for lookups: search through the companion blind-index column instead.
    """

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertexts are randomized: `filter(id_number=x)` would silently match nothing.
        # Only IS NULL makes sense; everything else must go through the blind index.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return get_cipher().decrypt(value, self.context)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return ""
        return get_cipher().encrypt(str(value), self.context)


class SealedFileField(models.FileField):
    """A stored file sealed at rest (`core.sealed`) under the field encryption keys, with its
    context bound in. `dangjian keys check` and `keys rotate` find every such field through the
    app registry, as they find every EncryptedTextField."""

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs


def account_stamp() -> "models.ForeignKey[Any, Any]":
    """Who did something to a record (`created_by`, `<stamp>_by`): kept when the account goes
    (set to null), no reverse accessor on the account."""
    from django.conf import settings

    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
