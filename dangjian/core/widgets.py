from typing import Any

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO `YYYY-MM-DD` whatever the UI language;
    Django's localized default (e.g. `2024/01/01`) would leave the picker empty on edit."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")
