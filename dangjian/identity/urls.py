from django.urls import path

from . import views

urlpatterns = [
    path("my/card/", views.my_card, name="my_card"),
    path("my/card/photo/", views.my_card_photo, name="my_card_photo"),
    # Public: what a phone opens when it scans a member's QR code.
    path("verify/<str:token>/", views.verify_card, name="verify_card"),
    path("members/<int:pk>/card/", views.member_card, name="member_card"),
    path("orgs/<int:pk>/cards/", views.org_cards, name="org_cards"),
]
