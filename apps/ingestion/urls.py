from django.urls import path

from . import views

app_name = "ingestion"
urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("add/", views.article_add, name="add"),
    path("add/text/", views.article_add_content, name="add_content"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("articles/<int:pk>/reextract/", views.article_reextract, name="article_reextract"),
    path("reextractions/<int:pk>/", views.reextraction_detail, name="reextraction"),
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/<int:pk>/", views.feed_detail, name="feed_detail"),
    path("feeds/<int:pk>/pause/", views.feed_action, {"action": "pause"}, name="feed_pause"),
    path("feeds/<int:pk>/resume/", views.feed_action, {"action": "resume"}, name="feed_resume"),
    path("feeds/<int:pk>/poll/", views.feed_action, {"action": "poll"}, name="feed_poll"),
]
