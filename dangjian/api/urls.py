"""The API under /api/: version 1 of the resources, their OpenAPI schema and its docs page."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from dangjian.accounts.api.token_views import (
    AccountTokensRevokeView,
    ActivationCodeView,
    LogoutView,
    OwnTokenViewSet,
)
from dangjian.accounts.api.views import (
    AccountView,
    GrantViewSet,
    LoginPolicyView,
    PasswordChangeView,
    TokenView,
    UserViewSet,
)
from dangjian.campaigns.api import CampaignReportViewSet, SentCampaignViewSet
from dangjian.community.api import (
    CommitmentViewSet,
    CommunityPostViewSet,
    PairingViewSet,
    RegistrationViewSet,
    ServiceTaskViewSet,
)
from dangjian.development.api import ApplicantViewSet
from dangjian.discussion.api import PostImageView, PostViewSet, ThreadViewSet
from dangjian.discussion.api_review import ResolveReportView, ReviewView, WordsView
from dangjian.dues.api import DuesPaymentViewSet, DuesProfileViewSet, DuesReductionViewSet
from dangjian.dues.api_instructions import PaymentInstructionsView
from dangjian.dues.api_reads import DuesMineView, DuesMonthView, DuesQuoteView, DuesRatesView
from dangjian.elections.api import TermChangeViewSet
from dangjian.elections.village.api import VillageElectionViewSet
from dangjian.feed.api import FeedView
from dangjian.honours.api import HonourCallViewSet, NominationViewSet
from dangjian.leaders.api import LeaderViewSet
from dangjian.lectures.api import LectureDispatchViewSet, LecturerViewSet
from dangjian.members.api import MemberViewSet
from dangjian.notices.api import NoticeViewSet
from dangjian.notifications.api import DeliveryViewSet, NotificationPreferencesView, NotificationViewSet
from dangjian.organizations.api import OrganizationViewSet, PartyGroupViewSet
from dangjian.orglife.api import MeetingViewSet
from dangjian.orglife.checkin_api import MeetingCheckInView, MeetingLeaveView
from dangjian.polls.api import PollViewSet
from dangjian.rectification.api import ProblemViewSet
from dangjian.roster.api import ImportJobViewSet
from dangjian.study.api import StudyPlanViewSet
from dangjian.villagework.api import (
    VillageAssignmentViewSet,
    VillageFlagViewSet,
    VillageTrainingViewSet,
)
from dangjian.weakorgs.api import WeakListingViewSet


class OptionalSlashRouter(SimpleRouter):
    """Routes match with or without the trailing slash: API clients differ, and a redirect
    would turn a POST into a GET."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("party-groups", PartyGroupViewSet, basename="party-group")
router.register("members", MemberViewSet, basename="member")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("notifications/deliveries", DeliveryViewSet, basename="notification-delivery")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("notices", NoticeViewSet, basename="notice")
router.register("users", UserViewSet, basename="user")
router.register("grants", GrantViewSet, basename="grant")
router.register("account/tokens", OwnTokenViewSet, basename="own-token")
router.register("study-plans", StudyPlanViewSet, basename="study-plan")
router.register("lecturers", LecturerViewSet, basename="lecturer")
router.register("dispatches", LectureDispatchViewSet, basename="dispatch")
router.register("dues/profiles", DuesProfileViewSet, basename="dues-profile")
router.register("dues/payments", DuesPaymentViewSet, basename="dues-payment")
router.register("dues/reductions", DuesReductionViewSet, basename="dues-reduction")
router.register("problems", ProblemViewSet, basename="problem")
router.register("campaigns", SentCampaignViewSet, basename="campaign")
router.register("campaign-reports", CampaignReportViewSet, basename="campaign-report")
router.register("honour-calls", HonourCallViewSet, basename="honour-call")
router.register("nominations", NominationViewSet, basename="nomination")
router.register("weak-listings", WeakListingViewSet, basename="weak-listing")
router.register("villagework/flags", VillageFlagViewSet, basename="village-flag")
router.register("villagework/assignments", VillageAssignmentViewSet, basename="village-assignment")
router.register("villagework/trainings", VillageTrainingViewSet, basename="village-training")
router.register("community/posts", CommunityPostViewSet, basename="community-post")
router.register("community/commitments", CommitmentViewSet, basename="community-commitment")
router.register("community/registrations", RegistrationViewSet, basename="community-registration")
router.register("community/tasks", ServiceTaskViewSet, basename="community-task")
router.register("community/pairings", PairingViewSet, basename="community-pairing")
router.register("term-changes", TermChangeViewSet, basename="term-change")
router.register("village-elections", VillageElectionViewSet, basename="village-election")
router.register("leaders", LeaderViewSet, basename="leader")
router.register("imports", ImportJobViewSet, basename="import")
router.register("threads", ThreadViewSet, basename="thread")
router.register("posts", PostViewSet, basename="post")
router.register("polls", PollViewSet, basename="poll")
router.register("development/applicants", ApplicantViewSet, basename="development-applicant")

# The schema describes the whole API surface: shown to signed-in users only.
signed_in = [IsAuthenticated]

urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(permission_classes=signed_in), name="api-schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file (?script) instead of inline; Swagger
        # UI itself sets inline styles and data: images, allowed on this page only.
        csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=signed_in)
        ),
        name="api-docs",
    ),
    path("v1/auth/token", TokenView.as_view(), name="api-token"),
    path("v1/account/password/", PasswordChangeView.as_view(), name="api-password-change"),
    re_path(r"^v1/security/policy/?$", LoginPolicyView.as_view(), name="api-login-policy"),
    re_path(r"^v1/account/?$", AccountView.as_view(), name="api-account"),
    re_path(r"^v1/auth/logout/?$", LogoutView.as_view(), name="api-logout"),
    re_path(
        r"^v1/security/accounts/(?P<pk>[0-9]+)/revoke-tokens/?$",
        AccountTokensRevokeView.as_view(),
        name="api-account-revoke-tokens",
    ),
    re_path(
        r"^v1/security/accounts/(?P<pk>[0-9]+)/activation-code/?$",
        ActivationCodeView.as_view(),
        name="api-account-activation-code",
    ),
    path("v1/feed/", FeedView.as_view(), name="api-feed"),
    path("v1/meetings/<int:pk>/check-in/", MeetingCheckInView.as_view(), name="api-meeting-check-in"),
    path("v1/meetings/<int:pk>/leave/", MeetingLeaveView.as_view(), name="api-meeting-leave"),
    re_path(r"^v1/dues/quote/?$", DuesQuoteView.as_view(), name="api-dues-quote"),
    re_path(r"^v1/dues/mine/?$", DuesMineView.as_view(), name="api-dues-mine"),
    re_path(r"^v1/dues/month/?$", DuesMonthView.as_view(), name="api-dues-month"),
    re_path(r"^v1/dues/rates/?$", DuesRatesView.as_view(), name="api-dues-rates"),
    path(
        "v1/organizations/<int:pk>/payment-instructions/",
        PaymentInstructionsView.as_view(),
        name="api-dues-payment-instructions",
    ),
    re_path(
        r"^v1/notifications/preferences/?$",
        NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    path("v1/post-images/<int:pk>/", PostImageView.as_view(), name="api-post-image"),
    path("v1/post-images/<int:pk>/thumb/", PostImageView.as_view(thumb=True), name="api-post-thumb"),
    path("v1/discussion/<int:pk>/review/", ReviewView.as_view(), name="api-discussion-review"),
    path("v1/discussion/<int:pk>/words/", WordsView.as_view(), name="api-discussion-words"),
    path("v1/post-reports/<int:pk>/resolve/", ResolveReportView.as_view(), name="api-report-resolve"),
    path("v1/", include("dangjian.points.api_urls")),
    path("v1/", include("dangjian.evaluation.api_urls")),
    path("v1/", include("dangjian.transfers.api_urls")),
    path("v1/", include("dangjian.identity.api_urls")),
    path("v1/compliance/", include("dangjian.compliance.api")),
    path("v1/", include(router.urls)),
]
