from django.urls import path

from . import member_views, views

urlpatterns = [
    path("my/dues/", views.my_dues, name="my_dues"),
    path("orgs/<int:pk>/dues/", views.org_dues, name="org_dues"),
    path("orgs/<int:pk>/dues/how-to-pay/", views.org_payment_instructions, name="org_payment_instructions"),
    path("orgs/<int:pk>/dues/how-to-pay/qr/", views.payment_qr, name="dues_payment_qr"),
    path("orgs/<int:pk>/dues.xlsx", views.org_dues_sheet, name="org_dues_xlsx"),
    path("members/<int:pk>/dues/", member_views.member_dues, name="member_dues"),
    path("dues/payments/<int:pk>/void/", member_views.payment_void, name="dues_payment_void"),
    path("dues/reductions/<int:pk>/approve/", member_views.reduction_approve, name="dues_reduction_approve"),
    path("dues/reductions/<int:pk>/reject/", member_views.reduction_reject, name="dues_reduction_reject"),
]
