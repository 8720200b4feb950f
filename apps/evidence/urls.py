from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("claims/<int:claim_pk>/add/", views.evidence_add, name="add"),
    path("links/<int:pk>/", views.link_detail, name="link"),
    path("links/<int:pk>/source/", views.source_edit, name="source_edit"),
    path("links/<int:pk>/refetch/", views.source_refetch, name="source_refetch"),
    path("articles/", views.article_search, name="article_search"),
    path("factchecks/<int:pk>/cite/", views.factcheck_cite, name="factcheck_cite"),
]
