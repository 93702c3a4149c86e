"""REST API of member development (发展党员): the people in development within reach, registering
an application (step 1), recording steps 2–22 and 25, ending a development, the public notice's
objections and their answers, and the steps' documents.

The same rules as the pages, through the same code: the body is checked by the page's own forms
(`forms.RegisterForm`, `forms.StepForm`: the branch's full members, its closed assemblies) and
written only by `services`. Outside the workflow's gate 404 (the person's existence is not
confirmed); a refused step 400 with the rule's words; a write based on an old `version` 409.
The ID number and phone are only ever answered masked."""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.api.base import ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.core import attachments
from dangjian.core.masking import birth_year, birth_year_month
from dangjian.core.params import is_int
from dangjian.core.tree import subtree_q
from dangjian.core.workflow import reaches
from dangjian.members.models import Education, Gender
from dangjian.organizations.api import OrganizationCodeField
from dangjian.organizations.models import Organization

from . import services
from .forms import RegisterForm, StepForm
from .models import Applicant, Occupation, Recommendation, Stage, Step, StepFile
from .steps import STEPS, approval_limits, next_numbers
from .workflows import DEVELOPMENT_FLOW, WHO

GATE = DEVELOPMENT_FLOW.gate
VERSION_HELP = "the person's version as read; refused (409) when it has changed"
ID_MAX = 2**63 - 1  # ids fit a 64-bit column; a larger number is refused, not looked up
FILES_HELP = "PDF, DOCX, JPEG or PNG, at most 10 MB each; checked by content (multipart only)"


class ApplicantFilterSet(django_filters.FilterSet):
    organization = django_filters.CharFilter(
        method="filter_organization", label=gettext_lazy("Organization code (and below)")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices)

    class Meta:
        model = Applicant
        fields: list[str] = []

    def filter_organization(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Unscoped lookup: the queryset is restricted afterwards (ScopedViewSetMixin.narrowed).
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(subtree_q(path, "organization__path")) if path else queryset.none()


class ApplicantSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    name = serializers.CharField(read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, read_only=True)
    birth = serializers.SerializerMethodField(
        help_text="the birth year; year-month for roles that may reveal personal data (person only)"
    )
    ethnicity = serializers.CharField(read_only=True)
    education = serializers.ChoiceField(choices=Education.choices, read_only=True)
    occupation = serializers.ChoiceField(choices=Occupation.choices, read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True, help_text="masked")
    phone = serializers.CharField(source="phone_masked", read_only=True, help_text="masked")
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    last_step = serializers.IntegerField(read_only=True)
    applied_on = serializers.DateField(read_only=True)
    activist_on = serializers.DateField(read_only=True, allow_null=True)
    candidate_on = serializers.DateField(read_only=True, allow_null=True)
    voted_on = serializers.DateField(read_only=True, allow_null=True)
    talk_due = serializers.DateField(read_only=True)
    assessment_due = serializers.DateField(read_only=True, allow_null=True)
    approval_due = serializers.DateField(read_only=True, allow_null=True)
    member = serializers.IntegerField(
        source="member_id", read_only=True, allow_null=True, help_text="the member made at the approval"
    )
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    def get_birth(self, row: Applicant) -> str:
        reveal = self.context.get("reveal", False)
        return birth_year_month(row.birth_date) if reveal else birth_year(row.birth_date)


class ApplicantDetailSerializer(ApplicantSerializer):
    next_steps = serializers.SerializerMethodField(help_text="the steps that may be recorded next")
    may_record = serializers.SerializerMethodField(help_text="the next steps this user may record")
    may_end = serializers.SerializerMethodField(help_text="whether this user may end the development")

    def get_next_steps(self, row: Applicant) -> list[int]:
        return next_numbers(row)

    def get_may_record(self, row: Applicant) -> list[int]:
        user = self.context["request"].user
        return [n for n in next_numbers(row) if _may_record(user, row, n)]

    def get_may_end(self, row: Applicant) -> bool:
        user = self.context["request"].user
        return row.is_open and any(t.name == "end" for t in DEVELOPMENT_FLOW.allowed(user, row))


class NewApplicantSerializer(StrictSerializerMixin):
    """The page's registration form (`forms.RegisterForm`), with the branch and the files."""

    organization = OrganizationCodeField(scope=GATE, help_text="code of the branch receiving the application")
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(
        max_length=30, help_text="GB 11643; birth date and gender taken from it"
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True, default="")
    ethnicity = serializers.CharField(max_length=20, required=False, default="汉族")
    education = serializers.ChoiceField(choices=Education.choices)
    occupation = serializers.ChoiceField(choices=Occupation.choices)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    applied_on = serializers.DateField(help_text="the day the branch received the written application")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="the written application; " + FILES_HELP,
    )


class MemberRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class StepFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="jpeg, png, pdf or docx (read from the content)")
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="bytes")
    uploaded_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="where to download the file")

    def get_url(self, row: StepFile) -> str:
        applicant_id = self.context["applicant_id"]
        return (
            reverse("development-applicant-file", kwargs={"pk": applicant_id, "fid": row.pk}).rstrip("/")
            + "/"
        )


class StepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.SerializerMethodField()
    on = serializers.DateField(read_only=True)
    late = serializers.SerializerMethodField(help_text="the talk after a month, the approval after three")
    actor = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices, read_only=True, allow_blank=True)
    people = MemberRefSerializer(many=True, read_only=True, help_text="contacts (5) or introducers (9)")
    conclusion = serializers.CharField(read_only=True)
    training_days = serializers.IntegerField(read_only=True, allow_null=True)
    training_hours = serializers.IntegerField(read_only=True, allow_null=True)
    notice_from = serializers.DateField(read_only=True, allow_null=True)
    notice_until = serializers.DateField(read_only=True, allow_null=True)
    form_number = serializers.CharField(read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True, allow_null=True)
    should_attend = serializers.IntegerField(read_only=True, allow_null=True)
    present = serializers.IntegerField(read_only=True, allow_null=True)
    votes_for = serializers.IntegerField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True)
    party_group = serializers.IntegerField(source="party_group_id", read_only=True, allow_null=True)
    place = serializers.CharField(read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True, allow_null=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    files = StepFileSerializer(many=True, read_only=True)

    def get_title(self, row: Step) -> str:
        return str(STEPS[row.number].title)

    def get_late(self, row: Step) -> bool:
        applicant: Applicant = self.context["applicant"]
        if row.number == 2:
            return row.on > applicant.talk_due
        return (
            row.number == 17
            and applicant.voted_on is not None
            and row.on > approval_limits(applicant.voted_on)[0]
        )


class StepRecordSerializer(StrictSerializerMixin):
    """Every field a step may take; each step takes its own (`steps.STEPS`, as on the page)."""

    on = serializers.DateField(required=False, help_text="the step's date (not step 15: the assembly's day)")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    actor = serializers.CharField(max_length=50, required=False, help_text="steps 2 and 16: who talked")
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, required=False, help_text="step 3"
    )
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        help_text="ids of full members of the branch: 1–2 contacts (step 5), 2 introducers (step 9)",
    )
    conclusion = serializers.CharField(max_length=2000, required=False, help_text="steps 10, 12 and 13")
    training_days = serializers.IntegerField(min_value=0, max_value=365, required=False, allow_null=True)
    training_hours = serializers.IntegerField(min_value=0, max_value=2000, required=False, allow_null=True)
    notice_from = serializers.DateField(required=False, help_text="step 13: the public notice's first day")
    notice_until = serializers.DateField(required=False, help_text="step 13: its last day")
    form_number = serializers.CharField(max_length=40, required=False, help_text="step 14")
    meeting = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, help_text="step 15: a closed branch member assembly"
    )
    should_attend = serializers.IntegerField(min_value=0, max_value=9999, required=False, help_text="step 15")
    present = serializers.IntegerField(min_value=0, max_value=9999, required=False, help_text="step 15")
    votes_for = serializers.IntegerField(min_value=0, max_value=9999, required=False, help_text="step 15")
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="step 17, later than three months"
    )
    party_group = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        allow_null=True,
        help_text="step 19: a party group of the branch",
    )
    place = serializers.CharField(
        max_length=200,
        required=False,
        help_text="step 20: where the oath was taken; step 25: where the file went",
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text=FILES_HELP
    )
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class EndSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, help_text="why the development ends")
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class ObjectionSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    received_on = serializers.DateField()
    text = serializers.CharField(max_length=2000)
    answer = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    answered_on = serializers.DateField(read_only=True, allow_null=True)


class AnswerSerializer(StrictSerializerMixin):
    answered_on = serializers.DateField()
    answer = serializers.CharField(max_length=2000)


NUMBER = OpenApiParameter(
    "number",
    int,
    OpenApiParameter.PATH,
    description="the step, 2–22 or 25 (23 and 24 are the probation decisions)",
)
FID = OpenApiParameter("fid", int, OpenApiParameter.PATH, description="document id")
OID = OpenApiParameter("oid", int, OpenApiParameter.PATH, description="objection id")


def _may_record(user: Any, applicant: Applicant, number: int) -> bool:
    """As on the person's page: a step that moves the stage by the workflow's rule, the others by
    who records them."""
    kind = STEPS[number]
    if kind.move:
        return any(t.name == kind.move for t in DEVELOPMENT_FLOW.allowed(user, applicant))
    return bool(WHO[kind.by](user, applicant))


def _form_errors(form: forms.Form) -> serializers.ValidationError:
    return serializers.ValidationError({field: [str(e) for e in errs] for field, errs in form.errors.items()})


class ApplicantViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """People in development at the branches within the user's reach (the branch's officers and
    the organizations above it). Who may record which step is the workflow's rule: a refusal is
    400 with its reason, not a hidden 404."""

    queryset = Applicant.objects.all()
    serializer_class = ApplicantSerializer
    filterset_class = ApplicantFilterSet
    pagination_class = IdCursorPagination
    # The pages' gate for reading and writing alike: a member or an auditor does not see them.
    read_scope = write_scope = GATE
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return NewApplicantSerializer
        if self.action == "retrieve":
            return ApplicantDetailSerializer
        return ApplicantSerializer

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("organization")

    def _detail(self, applicant: Applicant, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.refine_queryset(Applicant.objects.all()).get(pk=applicant.pk)
        context = {
            **self.get_serializer_context(),
            "reveal": reaches(self.request.user, fresh.organization, "reveal_pii"),
        }
        return Response(ApplicantDetailSerializer(fresh, context=context).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One person: the facts (ID number and phone masked), the next steps and who may take them."""
        return self._detail(self.get_object())

    @extend_schema(request=NewApplicantSerializer, responses={201: ApplicantDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register a written application (step 1) at a branch (its officers): the ID number
        checked (GB 11643), 18 or older on the day received, not a member nor in another open
        development anywhere (JSON, or multipart with the application in `files`)."""
        serializer = NewApplicantSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        branch, files = data.pop("organization"), data.pop("files")
        form = RegisterForm(data)  # the page's own checks, word for word
        if not form.is_valid():
            raise _form_errors(form)
        clean = dict(form.cleaned_data)
        applicant = services.register_application(
            branch,
            clean,
            applied_on=clean.pop("applied_on"),
            note=clean.pop("note"),
            files=files,
            acting_user=request.user,
        )
        return self._detail(applicant, status.HTTP_201_CREATED)

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a person's steps: a short list
    def steps(self, request: Request, pk: str | None = None) -> Response:
        """Every step recorded, in order, with its facts and documents."""
        applicant = self.get_object()
        rows = (
            applicant.records.select_related("meeting")
            .prefetch_related("people", "files")
            .order_by("number", "on", "id")
        )
        context = {"applicant": applicant, "applicant_id": applicant.pk}
        return Response(StepSerializer(rows, many=True, context=context).data)

    @extend_schema(
        parameters=[NUMBER], request=StepRecordSerializer, responses={201: ApplicantDetailSerializer}
    )
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<number>[^/.]+)", url_name="step")
    def record(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Record step `number` with the step's own fields (as the page's form for it), JSON or
        multipart with documents in `files`; the step deciding a stage makes its move."""
        applicant = self.get_object()  # an outsider's 404 before anything about the body
        step = int(number) if is_int(number) else 0
        if step not in STEPS:
            raise Http404
        serializer = StepRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        files, version = data.pop("files"), data.pop("version", None)
        form = StepForm(data, number=step, branch=applicant.organization)
        foreign = sorted(set(data) - set(form.fields))
        if foreign:
            raise serializers.ValidationError(
                {f: [_("This step does not take this field.")] for f in foreign}
            )
        if not form.is_valid():
            raise _form_errors(form)
        services.record_step(
            applicant,
            step,
            form.cleaned_data,
            files=files,
            expected_version=version,
            acting_user=request.user,
        )
        return self._detail(applicant, status.HTTP_201_CREATED)

    @extend_schema(request=EndSerializer, responses=ApplicantDetailSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the development at an open stage, with the reason in `note` (the branch's officers
        or the level above)."""
        applicant = self.get_object()
        serializer = EndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.end_development(
            applicant, note=data["note"], expected_version=data.get("version"), acting_user=request.user
        )
        return self._detail(applicant)

    @extend_schema(methods=["get"], request=None, responses=ObjectionSerializer(many=True))
    @extend_schema(methods=["post"], request=ObjectionSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def objections(self, request: Request, pk: str | None = None) -> Response:
        """The objections raised during the public notice and their answers; POST records one
        (after the branch committee's review, before the pre-review), with its answer if given."""
        applicant = self.get_object()
        if request.method == "GET":
            return Response(ObjectionSerializer(applicant.objections.all(), many=True).data)
        serializer = ObjectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.record_objection(applicant, acting_user=request.user, **serializer.validated_data)
        return Response(ObjectionSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OID], request=AnswerSerializer, responses=ObjectionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"objections/(?P<oid>[^/.]+)/answer",
        url_name="answer",
    )
    def answer(self, request: Request, pk: str | None = None, oid: str = "") -> Response:
        """Answer an objection."""
        applicant = self.get_object()
        row = applicant.objections.filter(pk=int(oid)).first() if is_int(oid) else None
        if row is None:
            raise Http404
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.answer_objection(row, acting_user=request.user, **serializer.validated_data)
        return Response(ObjectionSerializer(row).data)

    @extend_schema(
        parameters=[FID],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<fid>[^/.]+)", url_name="file")
    def file(self, request: Request, pk: str | None = None, fid: str = "") -> Any:
        """Download a step's document (images and PDFs inline)."""
        applicant = self.get_object()
        row = StepFile.objects.filter(step__applicant=applicant, pk=int(fid)).first() if is_int(fid) else None
        return attachments.serve(row)
