from django.urls import path

from . import factcheck_views, views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("create/", views.claim_create, name="create"),
    path("search/", views.claim_search, name="search"),
    path("claimants/", views.claimant_autocomplete, name="claimant_autocomplete"),
    path("claimants/candidates/", views.claimant_candidates, name="claimant_candidates"),
    path("orphaned/", views.orphaned_list, name="orphaned"),
    path("factchecks/import/", factcheck_views.factcheck_import, name="factcheck_import"),
    path(
        "factchecks/import/<int:pk>/",
        factcheck_views.factcheck_import_run,
        name="factcheck_import_run",
    ),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/panel/", views.claim_panel, name="panel"),
    path("<int:pk>/attach/", views.claim_attach, name="attach"),
    path("<int:pk>/claimants/<int:claimant_id>/", views.claimant_edit, name="claimant_edit"),
    path(
        "<int:pk>/start-research/",
        views.claim_action,
        {"action": "start_research"},
        name="start_research",
    ),
    path("<int:pk>/propose/", views.claim_action, {"action": "propose"}, name="propose"),
    path("<int:pk>/submit/", views.claim_action, {"action": "submit"}, name="submit"),
    path("<int:pk>/approve/", views.claim_action, {"action": "approve"}, name="approve"),
    path("<int:pk>/send-back/", views.claim_action, {"action": "send_back"}, name="send_back"),
    path("<int:pk>/reopen/", views.claim_action, {"action": "reopen"}, name="reopen"),
]
