from django.urls import path

from dangjian.core.workflow_views import move_path

from . import credential_views, manage_views, views
from .workflows import REQUEST_FLOW

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/2fa/", views.totp_enroll, name="totp_enroll"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/large-text/", views.large_text, name="large_text"),
    path("account/tokens/", credential_views.own_tokens, name="own_tokens"),
    path("account/tokens/<int:pk>/revoke/", credential_views.own_token_revoke, name="own_token_revoke"),
    path("users/", manage_views.user_list, name="user_list"),
    path("users/add/", manage_views.user_create, name="user_create"),
    path("users/<int:pk>/", manage_views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", manage_views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", manage_views.user_set_password, name="user_set_password"),
    path("users/<int:pk>/member/", manage_views.user_link_member, name="user_link_member"),
    path("users/<int:pk>/unlock/", manage_views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-2fa/", manage_views.user_reset_totp, name="user_reset_totp"),
    path("grants/<int:pk>/revoke/", manage_views.grant_revoke, name="grant_revoke"),
    path("security/", manage_views.security, name="security"),
    path("admin-requests/", manage_views.request_list, name="admin_requests"),
    path("admin-requests/<int:pk>/confirm/", manage_views.request_confirm, name="admin_request_confirm"),
    move_path("admin-requests/<int:pk>/reject/", REQUEST_FLOW, "reject", "admin_request_reject"),
    move_path("admin-requests/<int:pk>/withdraw/", REQUEST_FLOW, "cancel", "admin_request_withdraw"),
    path("security/account/", credential_views.security_account, name="security_account"),
    path(
        "security/account/<int:pk>/activation-code/",
        credential_views.security_activation_code,
        name="security_activation_code",
    ),
    path(
        "security/account/<int:pk>/revoke-tokens/",
        credential_views.security_revoke_tokens,
        name="security_revoke_tokens",
    ),
]
