"""REST API for member imports: POST a file to start one, GET it for state, progress and counts,
GET its report. The import runs as a background job, as from the page."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.core import uploads
from dangjian.core.sealed import SealedFileError
from dangjian.organizations.api import OrganizationCodeField

from . import services, storage
from .models import ImportJob


class DamagedFile(exceptions.APIException):
    """A stored file that fails to open (altered, cut short, or under a key no longer
    configured): the request was fine, the server's copy is not."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "damaged"


class ImportRequestSerializer(StrictSerializerMixin):
    file = serializers.FileField(help_text=".xlsx, .xls or .csv (UTF-8 or GB18030)")
    org = OrganizationCodeField(help_text="Code of the organization to import into (its whole subtree).")
    # The metaclass moves declared fields off the class, so this does not shadow Serializer.partial.
    partial = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=False, help_text="Import the valid rows even when others are refused."
    )
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Check and report only.")


class ImportJobSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="organization.code", read_only=True)
    counts = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField(help_text="URL of the report (.xlsx) once the job is done.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "org",
            "original_name",
            "file_format",
            "partial",
            "dry_run",
            "state",
            "outcome",
            "phase",
            "progress",
            "counts",
            "message",
            "report",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_counts(self, job: ImportJob) -> dict[str, int]:
        return job.counts()

    def get_report(self, job: ImportJob) -> str | None:
        if not job.report:
            return None
        url = reverse("import-report", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ImportJobViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin
):
    """Member imports into organizations within the user's reach ("change")."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    read_scope = "change"  # a job shows what was in the file: only for those who may import there

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer}, responses={202: ImportJobSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a roster and start importing it; poll the job for progress."""
        data = ImportRequestSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            job = services.upload_roster(
                values["org"],
                values["file"],
                acting_user=request.user,
                partial=values["partial"],
                dry_run=values["dry_run"],
                language=get_language() or "",
            )
            job = services.start_import(job, acting_user=request.user)
        except ValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={(200, uploads.KINDS["xlsx"].content_type): OpenApiTypes.BINARY, 409: OpenApiTypes.OBJECT}
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> FileResponse:
        """The report: counts and every refused row with its cells and reasons (.xlsx)."""
        job = self.get_object()
        try:
            stream = storage.open_report(job, request.user)
        except SealedFileError as exc:
            raise DamagedFile(storage.damaged_message()) from exc
        return uploads.download_response(
            stream,
            f"import-report-{job.pk}.xlsx",
            uploads.KINDS["xlsx"].content_type,
        )
