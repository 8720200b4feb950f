from django.urls import path

from . import desk_views as views

app_name = "desk"
urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("mine/", views.my_claims, name="mine"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("bulk/", views.bulk, name="bulk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("claims/<int:pk>/history/", views.history, name="history"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/delete/", views.claim_delete, name="claim_delete"),
    path("notifications/", views.notification_list, name="notifications"),
]
