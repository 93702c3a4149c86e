import pytest
from django.core.exceptions import ValidationError
from rest_framework import exceptions, serializers

from dangjian.api.base import StrictSerializerMixin, call_service
from dangjian.core.exceptions import OutOfScope


def refuse(exc: Exception) -> None:
    raise exc


def test_call_service_maps_refusals() -> None:
    assert call_service(lambda x: x * 2, 21) == 42
    with pytest.raises(exceptions.NotFound):
        call_service(refuse, OutOfScope("x"))
    with pytest.raises(serializers.ValidationError) as by_field:
        call_service(refuse, ValidationError({"name": "Enter a name."}))
    assert by_field.value.detail == {"name": ["Enter a name."]}
    with pytest.raises(serializers.ValidationError) as general:
        call_service(refuse, ValidationError("Changed meanwhile."))
    assert general.value.detail == {"non_field_errors": ["Changed meanwhile."]}


class Sample(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()


def test_strict_serializer_names_unknown_and_read_only_keys() -> None:
    serializer = Sample(data={"name": "x", "nmae": "y", "id": 3})
    assert not serializer.is_valid()
    assert serializer.errors == {"nmae": ["Unknown field."], "id": ["This field is read-only."]}
    assert Sample(data={"name": "x"}).is_valid()
