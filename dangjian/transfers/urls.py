from django.urls import path

from . import member_views, status_views, transfer_views, views

urlpatterns = [
    path("orgs/<int:pk>/transfers/", views.org_transfers, name="org_transfers"),
    path("orgs/<int:pk>/floating/", views.org_floating, name="org_floating"),
    path("orgs/<int:pk>/lost-contact/", views.org_lost_contact, name="org_lost_contact"),
    path("orgs/<int:pk>/probation/", views.org_probation, name="org_probation"),
    path("members/<int:pk>/membership/", member_views.membership, name="member_membership"),
    path("transfers/<int:pk>/", transfer_views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/letter.pdf", transfer_views.transfer_letter, name="transfer_letter"),
    path("my/transfer/", transfer_views.my_transfer, name="my_transfer"),
    path("floating/<int:pk>/", status_views.floating_detail, name="floating_detail"),
    path("floating/<int:pk>/reveal/", status_views.floating_reveal, name="floating_reveal"),
    path("lost-contact/<int:pk>/", status_views.lost_contact_detail, name="lost_contact_detail"),
]
