app_name = "ingestion"
urlpatterns = []
