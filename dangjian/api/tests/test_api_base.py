from rest_framework import serializers

from dangjian.api.base import StrictSerializerMixin


class Sample(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()


def test_strict_serializer_names_unknown_and_read_only_keys() -> None:
    serializer = Sample(data={"name": "x", "nmae": "y", "id": 3})
    assert not serializer.is_valid()
    assert serializer.errors == {"nmae": ["Unknown field."], "id": ["This field is read-only."]}
    assert Sample(data={"name": "x"}).is_valid()
