from django.contrib import admin

from .models import EvidenceLink, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("title", "url", "publisher", "kind")
    search_fields = ("title", "url", "publisher")
    list_filter = ("kind",)
    raw_id_fields = ("article", "created_by")


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ("claim", "source", "stance", "linked_by", "created_at")
    list_filter = ("stance",)
    raw_id_fields = ("claim", "source", "linked_by")
