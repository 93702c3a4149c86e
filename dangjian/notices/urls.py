from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<int:pk>/notices/", views.org_notices, name="org_notices"),
    path("orgs/<int:pk>/notices/new/", views.notice_create, name="notice_create"),
    path("orgs/<int:org_pk>/notices/<int:pk>/", views.org_notice, name="org_notice"),
    path("orgs/<int:org_pk>/notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("orgs/<int:org_pk>/notices/<int:pk>/send/", views.notice_send, name="notice_send"),
    path("orgs/<int:org_pk>/notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("orgs/<int:org_pk>/notices/<int:pk>/remind/", views.notice_remind, name="notice_remind"),
    path("orgs/<int:org_pk>/notices/<int:pk>/attach/", views.notice_attach, name="notice_attach"),
    path("notice-attachments/<int:pk>/", views.attachment_file, name="notice_attachment"),
    path("my/notices/<int:pk>/", views.my_notice, name="my_notice"),
]
